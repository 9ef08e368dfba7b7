// What the registry loaders need: the registry frame (bills, installments and payers as columns), the outcome of
// every installment at the observation date, and the participants' names.
import {analysisDate} from "./analysis-context.js";
import {progress} from "./emit.js";
import {frameKey, registryFrame} from "./frame-cache.js";
import {frameOutcomes, type FrameOutcomes} from "./registry-frame-stats.js";
import type {RegistryFrame} from "./registry-frame.js";
import {
  installmentOutcomes,
  type BillInput,
  type InstallmentInput,
  type InstallmentOutcome,
  type PartyInfo
} from "./statistics.js";
import {collect, sourceFromEnv, type RegistrySource} from "./source.js";

export interface RegistryContext {
  source: RegistrySource;
  observationDate: number;
  frame: RegistryFrame;
  /** The frame's cache key (null when the source cannot be fingerprinted): a key for results derived from it. */
  frameKey: string | null;
  /** Every installment's outcome at the observation date (computed on first use). */
  readonly outcomes: FrameOutcomes;
  participantNames: Map<string, string>;
}

export async function participantNames(source: RegistrySource): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for await (const p of source.rows<{participant_id: string; name: string}>("participants"))
    names.set(p.participant_id, p.name);
  return names;
}

export async function registryContext(env: NodeJS.ProcessEnv = process.env): Promise<RegistryContext> {
  const source = sourceFromEnv(env);
  const frame = await registryFrame(source, {env, onProgress: (step) => progress("registry", step)});
  const observationDate = analysisDate(env.GRAFENO_OBSERVATION_DATE, frame.bills.registeredAt);
  let outcomes: FrameOutcomes | undefined;
  return {
    source,
    observationDate,
    frame,
    frameKey: frameKey(source, env),
    get outcomes() {
      return (outcomes ??= frameOutcomes(frame, observationDate));
    },
    participantNames: await participantNames(source)
  };
}

export interface RegistryBill extends BillInput {
  bill_id: string;
  participant_id: string;
  payer_id: string;
}

/** The registry as row objects, for model training (whose reference implementation works on rows). */
export interface RegistryRows {
  source: RegistrySource;
  observationDate: number;
  bills: RegistryBill[];
  installments: InstallmentInput[];
  outcomes: InstallmentOutcome[];
  parties: Map<string, PartyInfo>;
}

export async function registryRows(env: NodeJS.ProcessEnv = process.env): Promise<RegistryRows> {
  const source = sourceFromEnv(env);
  const bills = await collect(source.rows<RegistryBill>("trade_bills"));
  const installments = await collect(source.rows<InstallmentInput>("installments"));
  const observationDate = analysisDate(
    env.GRAFENO_OBSERVATION_DATE,
    bills.map((b) => +new Date(b.registered_at))
  );
  const parties = new Map<string, PartyInfo>();
  for await (const p of source.rows<{party_id: string} & PartyInfo>("parties"))
    parties.set(p.party_id, {uf: p.uf, segment: p.segment});
  return {
    source,
    observationDate,
    bills,
    installments,
    outcomes: installmentOutcomes(installments, observationDate),
    parties
  };
}
