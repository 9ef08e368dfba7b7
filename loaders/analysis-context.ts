// What every analysis loader needs first: the source, the customer entity, the observation date, the events,
// and who each customer is (name and masked document, never the full document).
import {rowsMatching, valueAt} from "./column-read.js";
import {parseEntity, type CustomerEntity} from "./customer-events.js";
import {maskDocument} from "./documents.js";
import {progress} from "./emit.js";
import {registryFrame} from "./frame-cache.js";
import {CANCELED, type RegistryFrame} from "./registry-frame.js";
import type {PurchaseEvent} from "./rfm.js";
import type {EventColumns} from "./rfm-columns.js";
import {readColumns, sourceFromEnv, type RegistrySource} from "./source.js";

export interface Customer {
  name: string;
  document: string;
}

export interface AnalysisContext {
  source: RegistrySource;
  entity: CustomerEntity;
  observationDate: number;
  /** The events as objects (built on first use, for the retention model's reference implementation). */
  readonly events: PurchaseEvent[];
  /** Customers dictionary-encoded in order of first appearance, as encodeEvents(billEvents(bills)) gives. */
  columns: EventColumns;
  /** Names and masked documents of the customers, read from the source on first call. */
  directory(): Promise<Map<string, Customer>>;
}

/** GRAFENO_OBSERVATION_DATE (YYYY-MM-DD), else the last registration day in the data: never "today". */
export function analysisDate(value: string | undefined, times: ArrayLike<number>): number {
  if (value) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(ms)) {
      throw new Error(`GRAFENO_OBSERVATION_DATE="${value}": expected a date as YYYY-MM-DD`);
    }
    return ms;
  }
  let last = -Infinity;
  for (let i = 0; i < times.length; i++) if (times[i] > last) last = times[i];
  if (!Number.isFinite(last)) throw new Error("no events: cannot derive an observation date");
  return Math.floor(last / 86_400_000) * 86_400_000;
}

/** Names and masked documents of the given customers (all when absent), read from the source's columns. */
export async function customerDirectory(
  source: RegistrySource,
  entity: CustomerEntity,
  only?: ReadonlySet<string>
): Promise<Map<string, Customer>> {
  const [table, id, document] =
    entity === "participant" ? ["participants", "participant_id", "cnpj"] : ["parties", "party_id", "document"];
  const columns = await readColumns(source, table, [id, "name", document]);
  const directory = new Map<string, Customer>();
  const rows = only ? rowsMatching(columns[id], only) : Array.from({length: columns[id].length}, (_, i) => i);
  for (const i of rows) {
    directory.set(String(valueAt(columns[id], i)), {
      name: String(valueAt(columns.name, i)),
      document: maskDocument(String(valueAt(columns[document], i)))
    });
  }
  return directory;
}

/** The events of bills not canceled, customers coded in order of first appearance (billEvents + encodeEvents). */
export function frameEvents(frame: RegistryFrame, entity: CustomerEntity): EventColumns {
  const {bills} = frame;
  const codes = entity === "participant" ? bills.participant : entity === "payer" ? bills.payer : bills.assignor;
  const names = entity === "participant" ? frame.participants : frame.parties;
  const dense = new Int32Array(names.length).fill(-1);
  const customers: string[] = [];
  let n = 0;
  for (let b = 0; b < bills.length; b++) if (bills.state[b] !== CANCELED) n++;
  const customer = new Int32Array(n);
  const time = new Float64Array(n);
  const amount = new Float64Array(n);
  let e = 0;
  for (let b = 0; b < bills.length; b++) {
    if (bills.state[b] === CANCELED) continue;
    const code = codes[b];
    if (dense[code] < 0) {
      dense[code] = customers.length;
      customers.push(names[code]);
    }
    customer[e] = dense[code];
    time[e] = bills.registeredAt[b];
    amount[e++] = bills.value[b];
  }
  return {customer, customers, time, amount};
}

export function eventObjects(columns: EventColumns): PurchaseEvent[] {
  return Array.from(columns.customer, (c, i) => ({
    customer: columns.customers[c],
    date: columns.time[i],
    amount: columns.amount[i]
  }));
}

export async function analysisContext(env: NodeJS.ProcessEnv = process.env): Promise<AnalysisContext> {
  const source = sourceFromEnv(env);
  const entity = parseEntity(env.GRAFENO_RFM_ENTITY);
  const frame = await registryFrame(source, {env, onProgress: (step) => progress("registry", step)});
  const columns = frameEvents(frame, entity);
  const observationDate = analysisDate(env.GRAFENO_OBSERVATION_DATE, columns.time);
  let events: PurchaseEvent[] | undefined;
  let directory: Promise<Map<string, Customer>> | undefined;
  return {
    source,
    entity,
    observationDate,
    get events() {
      return (events ??= eventObjects(columns));
    },
    columns,
    directory: () => (directory ??= customerDirectory(source, entity, new Set(columns.customers)))
  };
}
