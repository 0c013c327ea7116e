// Reads Parquet files with DuckDB and prints, as JSON lines, the column
// names and types, then every row in file order with each value as text:
// integers and doubles as DuckDB casts them, timestamps as nanoseconds
// since the epoch, blobs as lowercase hex, nulls as null.
// Usage: node dump.mjs GLOB
import { DuckDBInstance } from '@duckdb/node-api';

const glob = process.argv[2];
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const src = `read_parquet('${glob.replaceAll("'", "''")}', filename = true, file_row_number = true)`;
const desc = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`)).getRowObjectsJson()
  .filter((c) => c.column_name !== 'filename' && c.column_name !== 'file_row_number');
console.log(JSON.stringify(desc.map((c) => [c.column_name, c.column_type])));
const exprs = desc.map((c) => {
  const q = `"${c.column_name.replaceAll('"', '""')}"`;
  if (c.column_type.startsWith('TIMESTAMP')) return `CAST(epoch_ns(${q}) AS VARCHAR)`;
  if (c.column_type === 'BLOB') return `lower(hex(${q}))`;
  return `CAST(${q} AS VARCHAR)`;
});
const reader = await con.streamAndReadAll(
  `SELECT filename, ${exprs.join(', ')} FROM ${src} ORDER BY filename, file_row_number`);
for (const row of reader.getRows()) {
  console.log(JSON.stringify(row));
}
