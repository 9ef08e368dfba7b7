// A tiny, valid registry written by hand (every rule of validate.ts holds), and helpers to write it as the canonical
// CSV or Arrow folder. Tests break one thing in a copy and expect exactly that problem.
import {createHash} from "node:crypto";
import {readFile, readdir} from "node:fs/promises";
import {join} from "node:path";
import {writeArrowTable} from "../../loaders/arrow-io.js";
import {writeCsvTable} from "../../loaders/csv-write.js";
import type {RowOf, TableName} from "../../loaders/registry-schema.js";
import {TABLE_NAMES} from "../../loaders/registry-schema.js";

export type Registry = {[T in TableName]: RowOf<T>[]};

export function fixture(): Registry {
  return {
    participants: [
      {
        participant_id: "P-0001",
        cnpj: "73516850000110",
        name: "Banco Alfa S.A.",
        kind: "bank",
        uf: "SP",
        joined_at: "2021-01-04",
        left_at: null
      },
      {
        participant_id: "P-0002",
        cnpj: "75820086000106",
        name: "FIDC Beta",
        kind: "fidc",
        uf: "RJ",
        joined_at: "2021-02-01",
        left_at: "2024-06-30"
      }
    ],
    parties: [
      {
        party_id: "X-0001",
        document: "29020448000159",
        person_type: "PJ",
        name: "Comércio São João Ltda",
        uf: "MG",
        city: "Belo Horizonte",
        segment: "retail"
      },
      {
        party_id: "X-0002",
        document: "19930094180",
        person_type: "PF",
        name: 'Maria "Nina" Araújo',
        uf: "DF",
        city: "Brasília",
        segment: "individual"
      },
      {
        party_id: "X-0003",
        document: "11222333000181",
        person_type: "PJ",
        name: "Indústria Paraná, Ltda",
        uf: "PR",
        city: "Curitiba",
        segment: "industry"
      }
    ],
    trade_bills: [
      bill(
        "TB-1",
        "P-0001",
        "X-0001",
        "X-0002",
        "finished",
        null,
        1234.56,
        "35240111222333000181550019074753021859805760"
      ),
      bill("TB-2", "P-0001", "X-0003", "X-0001", "active", null, 300, null),
      bill("TB-3", "P-0002", "X-0001", "X-0003", "canceled", "reversal", 99.99, null)
    ],
    installments: [
      inst("TB-1", 1, "2024-02-15", 617.28, 617.28, "2024-02-15"),
      inst("TB-1", 2, "2024-03-15", 617.28, 623.45, "2024-03-20"),
      inst("TB-2", 1, "2024-02-20", 150, 150, "2024-02-19"),
      inst("TB-2", 2, "2024-03-20", 150, null, null),
      inst("TB-3", 1, "2024-02-28", 99.99, null, null)
    ],
    payments: [
      {
        payment_id: "PAY-1",
        bill_id: "TB-1",
        installment_number: 1,
        performed_at: "2024-02-15T14:03:00.000Z",
        value: 617.28
      },
      {
        payment_id: "PAY-2",
        bill_id: "TB-1",
        installment_number: 2,
        performed_at: "2024-03-10T13:00:00.000Z",
        value: 300
      },
      {
        payment_id: "PAY-3",
        bill_id: "TB-1",
        installment_number: 2,
        performed_at: "2024-03-20T15:30:00.250Z",
        value: 323.45
      },
      {
        payment_id: "PAY-4",
        bill_id: "TB-2",
        installment_number: 1,
        performed_at: "2024-02-19T12:00:00.000Z",
        value: 150
      }
    ]
  };
}

function bill(
  bill_id: string,
  participant_id: string,
  assignor_id: string,
  payer_id: string,
  state: "active" | "finished" | "canceled",
  cancel_reason: "reversal" | null,
  value: number,
  nfe_key: string | null
): RowOf<"trade_bills"> {
  return {
    bill_id,
    participant_id,
    assignor_id,
    payer_id,
    kind: nfe_key ? "goods" : "services",
    ballast: nfe_key ? "nfe_key" : "invoice",
    nfe_key,
    emitted_at: "2024-01-10",
    registered_at: "2024-01-11T13:45:10.500Z",
    state,
    cancel_reason,
    value
  };
}

function inst(
  bill_id: string,
  number: number,
  due: string,
  value: number,
  paid_value: number | null,
  paid_at: string | null
): RowOf<"installments"> {
  return {bill_id, number, due_date: due, original_due_date: due, value, paid_value, paid_at};
}

export async function writeCsvFolder(dir: string, registry: Registry): Promise<void> {
  for (const table of TABLE_NAMES) await writeCsvTable(table, join(dir, `${table}.csv`), registry[table] as never);
}

export async function writeArrowFolder(dir: string, registry: Registry): Promise<void> {
  for (const table of TABLE_NAMES) await writeArrowTable(table, join(dir, `${table}.arrow`), registry[table] as never);
}

/** Every file in a folder (recursively, hidden ones too) with its sha256: to prove that nothing was written. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await readdir(dir, {recursive: true, withFileTypes: true}).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
  }
  return out;
}
