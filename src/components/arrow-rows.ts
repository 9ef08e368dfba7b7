// Arrow tables as plain row objects, read column by column: at 100,000 rows this is several times faster than
// `table.toArray().map((d) => d.toJSON())`, which goes through a proxy per row and a lookup per field.

interface ArrowColumn {
  toArray(): ArrayLike<unknown>;
}
export interface ArrowTable {
  numRows: number;
  schema: {fields: {name: string}[]};
  getChild(name: string): ArrowColumn | null;
}

export function arrowRows<T = Record<string, unknown>>(table: ArrowTable): T[] {
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((name) => table.getChild(name)!.toArray());
  const rows = new Array<T>(table.numRows);
  for (let i = 0; i < rows.length; i++) {
    const row: Record<string, unknown> = {};
    for (let j = 0; j < names.length; j++) row[names[j]] = columns[j][i];
    rows[i] = row as T;
  }
  return rows;
}
