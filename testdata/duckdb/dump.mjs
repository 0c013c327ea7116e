// Reads Parquet files with DuckDB and prints, as JSON lines, the column
// names and types, then every row in file order with each value as text:
// integers and doubles as DuckDB casts them, timestamps as nanoseconds
// since the epoch, blobs as lowercase hex, nulls as null.
// With --stats, prints instead what DuckDB reads of each column chunk's
// metadata, a JSON line each: row group, its rows, column, null count,
// minimum and maximum (as DuckDB renders them; null if absent).
// Usage: node dump.mjs [--stats] GLOB
import { DuckDBInstance } from '@duckdb/node-api';

const stats = process.argv[2] === '--stats';
const glob = process.argv[stats ? 3 : 2];
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
if (stats) {
  const md = await con.runAndReadAll(
    `SELECT row_group_id, row_group_num_rows, path_in_schema, stats_null_count, stats_min_value, stats_max_value
     FROM parquet_metadata('${glob.replaceAll("'", "''")}') ORDER BY file_name, row_group_id, column_id`);
  for (const row of md.getRowsJson()) {
    console.log(JSON.stringify(row));
  }
  process.exit(0);
}
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
