// What every analysis loader needs first: the source, the customer entity, the observation date, the events,
// and who each customer is (name and masked document, never the full document).
import {billEvents, parseEntity, type BillForEvents, type CustomerEntity} from "./customer-events.js";
import {maskDocument} from "./documents.js";
import type {PurchaseEvent} from "./rfm.js";
import {encodeEvents, type EventColumns} from "./rfm-columns.js";
import {collect, sourceFromEnv, type RegistrySource} from "./source.js";

export interface Customer {
  name: string;
  document: string;
}

export interface AnalysisContext {
  source: RegistrySource;
  entity: CustomerEntity;
  observationDate: number;
  events: PurchaseEvent[];
  /** The same events, dictionary-encoded once for the columnar RFM path. */
  columns: EventColumns;
  directory: Map<string, Customer>;
}

/** GRAFENO_OBSERVATION_DATE (YYYY-MM-DD), else the last registration day in the data: never "today". */
export function observationDateFrom(value: string | undefined, events: readonly PurchaseEvent[]): number {
  return analysisDate(
    value,
    events.map((e) => +e.date)
  );
}

export function analysisDate(value: string | undefined, times: readonly number[]): number {
  if (value) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(ms)) {
      throw new Error(`GRAFENO_OBSERVATION_DATE="${value}": expected a date as YYYY-MM-DD`);
    }
    return ms;
  }
  let last = -Infinity;
  for (const t of times) if (t > last) last = t;
  if (!Number.isFinite(last)) throw new Error("no events: cannot derive an observation date");
  return Math.floor(last / 86_400_000) * 86_400_000;
}

export async function customerDirectory(
  source: RegistrySource,
  entity: CustomerEntity
): Promise<Map<string, Customer>> {
  const directory = new Map<string, Customer>();
  if (entity === "participant") {
    for await (const p of source.rows<{participant_id: string; name: string; cnpj: string}>("participants")) {
      directory.set(p.participant_id, {name: p.name, document: maskDocument(p.cnpj)});
    }
  } else {
    for await (const p of source.rows<{party_id: string; name: string; document: string}>("parties")) {
      directory.set(p.party_id, {name: p.name, document: maskDocument(p.document)});
    }
  }
  return directory;
}

export async function analysisContext(env: NodeJS.ProcessEnv = process.env): Promise<AnalysisContext> {
  const source = sourceFromEnv(env);
  const entity = parseEntity(env.GRAFENO_RFM_ENTITY);
  const events = billEvents(await collect(source.rows<BillForEvents>("trade_bills")), entity);
  const observationDate = observationDateFrom(env.GRAFENO_OBSERVATION_DATE, events);
  const directory = await customerDirectory(source, entity);
  return {source, entity, observationDate, events, columns: encodeEvents(events), directory};
}
