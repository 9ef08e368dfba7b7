// What the registry statistics loaders need: bills, installments with their outcome at the observation date,
// and who the participants and payers are.
import {analysisDate} from "./analysis-context.js";
import {
  installmentOutcomes,
  type BillInput,
  type InstallmentInput,
  type InstallmentOutcome,
  type PartyInfo
} from "./statistics.js";
import {collect, sourceFromEnv, type RegistrySource} from "./source.js";

export interface RegistryBill extends BillInput {
  bill_id: string;
  participant_id: string;
  payer_id: string;
}

export interface RegistryContext {
  source: RegistrySource;
  observationDate: number;
  bills: RegistryBill[];
  installments: InstallmentInput[];
  outcomes: InstallmentOutcome[];
  parties: Map<string, PartyInfo>;
  participantNames: Map<string, string>;
}

export async function registryContext(env: NodeJS.ProcessEnv = process.env): Promise<RegistryContext> {
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
  const participantNames = new Map<string, string>();
  for await (const p of source.rows<{participant_id: string; name: string}>("participants"))
    participantNames.set(p.participant_id, p.name);
  return {
    source,
    observationDate,
    bills,
    installments,
    outcomes: installmentOutcomes(installments, observationDate),
    parties,
    participantNames
  };
}
