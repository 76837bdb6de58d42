// The query benchmark's measuring half: the same questions over the same lake
// answered by `mailpulse query` and by DuckDB (@duckdb/node-api,
// read_json_auto), same thread count, in the same run, best of N each;
// checks that both give the same rows; prints a Markdown table.
//
//   node bench/query/compare.mjs LAKE_DIR [threads=2] [repeats=3]
// Environment: MAILPULSE_BIN (default build/mailpulse).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const lake = path.resolve(process.argv[2]);
const threads = Number(process.argv[3] || 2);
const repeats = Number(process.argv[4] || 3);
const BIN = process.env.MAILPULSE_BIN || path.resolve('build/mailpulse');

// Every events object: count and bytes, for MB/s and events/s.
let objects = 0, bytes = 0;
const walk = (d) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.json.gz')) { objects += 1; bytes += fs.statSync(p).size; }
  }
};
walk(path.join(lake, 'events'));

// [name, mailpulse SQL, DuckDB SQL over LAKE]; both return the same columns.
const QUERIES = [
  ['events by type, filtered',
    "SELECT s.event AS event, COUNT(*) AS n FROM S3Object s WHERE s.email LIKE '%1@%' GROUP BY s.event ORDER BY event",
    "SELECT event, COUNT(*) AS n FROM LAKE WHERE email LIKE '%1@%' GROUP BY event ORDER BY event"],
  ['campaign KPIs, COUNT(DISTINCT)',
    "SELECT s.singlesend_id AS campaign, COUNT(DISTINCT s.mp_message_id) AS unique_opens, COUNT(*) AS opens FROM S3Object s WHERE s.event = 'open' GROUP BY s.singlesend_id ORDER BY campaign",
    "SELECT singlesend_id AS campaign, COUNT(DISTINCT mp_message_id) AS unique_opens, COUNT(*) AS opens FROM LAKE WHERE event = 'open' GROUP BY singlesend_id ORDER BY campaign"],
  ['top clicked URLs',
    "SELECT s.url AS url, COUNT(*) AS clicks FROM S3Object s WHERE s.event = 'click' GROUP BY s.url ORDER BY clicks DESC, url LIMIT 10",
    "SELECT url, COUNT(*) AS clicks FROM LAKE WHERE event = 'click' GROUP BY url ORDER BY clicks DESC, url LIMIT 10"],
];

function mailpulse(sql) {
  const t0 = process.hrtime.bigint();
  const out = execFileSync(BIN, ['query', '--lake', lake, '--query-threads', String(threads), sql],
    { maxBuffer: 1 << 28 }).toString();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { s, rows: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

const db = await (await DuckDBInstance.create(':memory:')).connect();
await db.run(`SET threads = ${threads}`);
const glob = `${path.join(lake, 'events')}/**/*.json.gz`;
// union_by_name: the events differ in members (url only on clicks), and
// without it DuckDB infers the schema from a sample of files and refuses
// columns it did not see there. DUCKDB_UNION_BY_NAME=0 measures that mode too.
const unionByName = process.env.DUCKDB_UNION_BY_NAME !== '0';
const source = `read_json_auto('${glob}', format = 'newline_delimited', hive_partitioning = false, union_by_name = ${unionByName})`;
async function duckdb(sql) {
  const t0 = process.hrtime.bigint();
  const rows = (await (await db.runAndReadAll(sql.replaceAll('LAKE', source))).getRowObjectsJS());
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { s, rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]))) };
}

const total = (await duckdb('SELECT COUNT(*) AS n FROM LAKE')).rows[0].n;
console.log(`DuckDB union_by_name = ${unionByName}\nlake: ${objects} objects, ${(bytes / 1e6).toFixed(1)} MB gzip, ${total} events; threads ${threads}, best of ${repeats}\n`);
console.log('| question | mailpulse s | DuckDB s | mailpulse / DuckDB | mailpulse MB/s (gzip) | mailpulse events/s | same rows |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const [name, mq, dq] of QUERIES) {
  let best = { m: Infinity, d: Infinity }, mrows, drows;
  for (let i = 0; i < repeats; i++) {  // alternate, so both see the same cache and neighbours
    const m = mailpulse(mq);
    let d;
    try { d = await duckdb(dq); } catch (e) { d = { s: NaN, rows: [`DuckDB error: ${String(e.message).split('\n')[0]}`] }; }
    best.m = Math.min(best.m, m.s); best.d = Math.min(best.d, d.s);
    mrows = m.rows; drows = d.rows;
  }
  const same = JSON.stringify(mrows) === JSON.stringify(drows);
  console.log(`| ${name} | ${best.m.toFixed(3)} | ${best.d.toFixed(3)} | ${(best.m / best.d).toFixed(2)} | ${(bytes / 1e6 / best.m).toFixed(1)} | ${Math.round(total / best.m)} | ${same ? 'yes' : 'NO'} |`);
  if (!same) { console.error('mailpulse:', JSON.stringify(mrows).slice(0, 400)); console.error('duckdb:', JSON.stringify(drows).slice(0, 400)); }
}
