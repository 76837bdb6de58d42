// Differential test of `mailpulse query` against DuckDB: a seeded generator
// writes a lake of SendGrid-like events (gzip JSON lines, the delivery layout
// of docs/formats/lake-object.md) straight to disk, then builds ~150 random
// queries from templates, each written twice — in mailpulse's S3 Select
// dialect and in DuckDB's — and runs them through `mailpulse query` and
// DuckDB's read_json_auto over the same objects. The answers must be equal
// (as multisets of rows, or in order when the query orders totally).
//
// Everything is deterministic (fixed seed, no Math.random): a failure prints
// both SQL texts and both answers, and reproduces on every run.
//
// The generator only builds constructs whose meaning is the same in both
// engines. Where the engines differ by design, it restricts or normalizes;
// each such place carries a "DIFF:" comment saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { BIN, tempDir } from './lib.mjs';

// Overridable to explore other seeds locally; the defaults are what CI runs.
const SEED = Number(process.env.QDIFF_SEED || 0x5eed2026);
const QUERIES = Number(process.env.QDIFF_QUERIES || 150);

// mulberry32: small, fast, good enough for test data.
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
    chance: (p) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    weighted: (pairs) => { // [[weight, value], ...]
      const total = pairs.reduce((s, [w]) => s + w, 0);
      let x = next() * total;
      for (const [w, v] of pairs) { if ((x -= w) < 0) return v; }
      return pairs[pairs.length - 1][1];
    },
    // DIFF: identifiers avoid shapes DuckDB's JSON reader turns into other
    // types (it detects UUIDs, dates and timestamps inside JSON strings), so
    // every string member stays VARCHAR there as it is STRING here.
    id: (n) => { let s = ''; for (let i = 0; i < n; i++) s += 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ'[Math.floor(next() * 49)]; return s; },
  };
  return r;
}

// ---------------------------------------------------------------- the lake

const EVENT_TYPES = [[3, 'processed'], [4, 'delivered'], [4, 'open'], [3, 'click'], [1, 'bounce'],
  [1, 'deferred'], [1, 'dropped'], [0.5, 'spamreport'], [0.5, 'unsubscribe']];
const DAY0 = Date.UTC(2026, 11, 1) / 1000; // 2026-12-01T00:00Z, epoch seconds
const URLS = ['https://example.com/', 'https://example.com/pricing', 'https://example.com/a?b=1&c=2',
  'https://shop.example.org/Ünïcode/straße', 'https://example.com/blog/2026/12', 'https://example.net/x_y%z',
  'https://example.com/日本語'];
const REASONS = ['550 5.1.1 user unknown', 'mailbox full', '421 try again later', 'Bounced Address', 'spam content'];
const CATEGORIES = ['newsletter', 'promo', 'transactional', 'welcome'];

function buildLake(root, rnd) {
  const objects = [];
  let seq = 1000;
  let total = 0;
  const eventIds = new Set();
  for (let o = 0; total < 5000; o++) {
    const type = rnd.weighted(EVENT_TYPES);
    // The campaign folder is marketing_campaign_id, else singlesend_id, else
    // Hive's default partition; every record of an object shares it.
    const campaignKind = rnd.weighted([[6, 'mc'], [3, 'ss'], [0.4, 'none']]);
    const mc = 700 + rnd.int(1, 8);
    const ss = `ss-${rnd.id(6)}`;
    const campaign = campaignKind === 'mc' ? String(mc) : campaignKind === 'ss' ? ss : '__HIVE_DEFAULT_PARTITION__';
    const day = rnd.int(1, 7);
    const hour = rnd.int(0, 23);
    const folderTime = DAY0 + (day - 1) * 86400 + hour * 3600;
    const count = rnd.int(20, 230);
    const lines = [];
    const first = seq;
    for (let i = 0; i < count; i++) {
      let eid;
      do eid = rnd.id(22); while (eventIds.has(eid));
      eventIds.add(eid);
      const user = rnd.int(1, 320);
      const msgId = rnd.id(14);
      const sgMessageId = rnd.chance(0.85) ? `${msgId}.filterdrecv-${rnd.int(1, 9)}.${rnd.id(6)}` : msgId;
      const e = {
        // mp_message_id is JSON null when sg_message_id has no '.': NULL, never MISSING.
        mp_message_id: sgMessageId.includes('.') ? msgId : null,
        email: rnd.chance(0.12) ? `User${user}@Example.COM` : `user${user}@example.com`,
        timestamp: folderTime - rnd.int(0, 3599),
        // A few mixed-case values: the event_type folder is lower-cased, so
        // pruning on s.event = 'Open' must not skip the open/ objects.
        event: rnd.chance(0.03) ? (rnd.chance(0.5) ? type.toUpperCase() : type[0].toUpperCase() + type.slice(1)) : type,
        sg_event_id: eid,
        sg_message_id: sgMessageId,
      };
      if (campaignKind === 'mc') e.marketing_campaign_id = mc;
      if (campaignKind === 'ss' || (campaignKind === 'mc' && rnd.chance(0.5))) e.singlesend_id = campaignKind === 'ss' ? ss : `ss-mc${mc}`;
      const cat = rnd.next();
      if (cat < 0.45) e.category = rnd.pick(CATEGORIES);
      else if (cat < 0.75) e.category = [rnd.pick(CATEGORIES), rnd.pick(CATEGORIES)];
      if (type === 'click') e.url = rnd.pick(URLS);
      if (type === 'open') e.sg_machine_open = rnd.chance(0.3);
      if (type === 'deferred' || type === 'bounce' || (type === 'delivered' && rnd.chance(0.3))) e.attempt = String(rnd.int(1, 12));
      if (type === 'bounce' || type === 'dropped' || type === 'deferred') e.reason = rnd.chance(0.2) ? null : rnd.pick(REASONS);
      // n: INT, FLOAT or null. DuckDB infers one DOUBLE column for the mix;
      // here each value keeps its type, and numbers compare (and group, and
      // DISTINCT) across INT and FLOAT, so the answers agree. Some FLOATs
      // have no exact binary value (x.001), so float results use a tolerance.
      const nk = rnd.next();
      if (nk < 0.45) e.n = rnd.int(-40, 900);
      else if (nk < 0.8) e.n = rnd.int(-400, 9000) / 8 + (rnd.chance(0.5) ? 0.0625 : 0.001);
      else e.n = null;
      lines.push(JSON.stringify(e));
      seq += rnd.int(1, 3);
    }
    const last = seq - 1;
    total += count;
    const dir = path.join(root, 'events', `event_type=${type}`, `campaign=${campaign}`,
      `dt=2026-12-0${day}`, `hour=${String(hour).padStart(2, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    const name = `mailpulse-events-0000-${String(first).padStart(20, '0')}-${String(last).padStart(20, '0')}.json.gz`;
    fs.writeFileSync(path.join(dir, name), zlib.gzipSync(lines.join('\n') + '\n'));
    objects.push(name);
  }
  return { objects: objects.length, records: total, eventIds: [...eventIds] };
}

// ---------------------------------------------------------------- queries
//
// An expression is { m, d, t, nul, mis, approx, ascii } — its mailpulse text,
// its DuckDB text, its type ('int' | 'num' | 'str' | 'bool'), whether it can
// be NULL and whether it can be MISSING on some row, whether it is a floating
// value (compared with a tolerance), and whether it is a string of ASCII only.

// The members a query may read. nul: JSON null occurs; mis: absent on some records.
const FIELDS = {
  event: { t: 'str', ascii: true, values: ['processed', 'delivered', 'open', 'click', 'bounce', 'deferred', 'dropped', 'spamreport', 'unsubscribe', 'nope', 'Open', 'CLICK', 'Delivered'] },
  email: { t: 'str', ascii: true, values: ['user7@example.com', 'User7@Example.COM', 'user100@example.com', 'user3@example.com', 'user250@example.com'] },
  timestamp: { t: 'int', quote: true },
  sg_event_id: { t: 'str', ascii: true },
  sg_message_id: { t: 'str', ascii: true },
  mp_message_id: { t: 'str', ascii: true, nul: true },
  singlesend_id: { t: 'str', ascii: true, mis: true },
  marketing_campaign_id: { t: 'int', mis: true, values: [701, 702, 703, 704, 705, 706, 707, 708, 999] },
  url: { t: 'str', ascii: false, mis: true, values: URLS },
  sg_machine_open: { t: 'bool', mis: true },
  attempt: { t: 'str', ascii: true, mis: true, values: ['1', '2', '3', '10', '12'] },
  n: { t: 'num', nul: true, approx: true },
  reason: { t: 'str', ascii: true, nul: true, mis: true, values: REASONS },
  // DIFF: category is a string or an array; DuckDB reads the column as JSON,
  // whose values print differently, so only COUNT and IS [NOT] NULL/MISSING
  // read it.
  category: { t: 'json', mis: true },
};

function makeGen(rnd, facts) {
  // A name as mailpulse reads it: alias path, unquoted in any case (names
  // match case-insensitively), or quoted exactly; "timestamp" is reserved.
  const fieldRef = (name, alias, { exactCase = false } = {}) => {
    const f = FIELDS[name];
    let ref;
    if (f.quote || rnd.chance(0.1)) ref = `"${name}"`;
    else if (!exactCase && rnd.chance(0.2)) ref = rnd.chance(0.5) ? name.toUpperCase() : name[0].toUpperCase() + name.slice(1);
    else ref = name;
    const m = alias ? `${alias}.${ref}` : ref;
    return { m, d: `"${name}"`, t: f.t, nul: !!f.nul, mis: !!f.mis, approx: !!f.approx, ascii: f.ascii !== false, field: name };
  };
  const sqlStr = (s) => `'${s.replaceAll("'", "''")}'`;
  const fieldsOf = (pred) => Object.keys(FIELDS).filter((k) => pred(FIELDS[k], k));
  const lit = (m, t, d = m) => ({ m, d, t, nul: false, mis: false, approx: false, ascii: true });
  const bin = (a, b, extra) => ({ nul: a.nul || b.nul, mis: a.mis || b.mis, approx: a.approx || b.approx, ascii: true, ...extra });

  const intLiteral = (field) => {
    if (field === 'timestamp') return String(DAY0 + rnd.int(0, 7 * 86400));
    if (field && FIELDS[field].values) return String(rnd.pick(FIELDS[field].values));
    return String(rnd.int(-5, 50));
  };
  const strLiteral = (e) => {
    if (e.field === 'sg_event_id' && rnd.chance(0.7)) return rnd.pick(facts.eventIds);
    if (e.field && FIELDS[e.field].values && rnd.chance(0.85)) return rnd.pick(FIELDS[e.field].values);
    return rnd.pick(['', 'a', 'open', 'user1', 'https://example.com/', 'ss-mc701', 'zzz', 'M', "it's", 'ü']);
  };
  const numLiteral = () => rnd.pick([String(rnd.int(-40, 900)), `${rnd.int(-40, 900)}.5`, '0', '100.25']);

  // ---- scalar expressions
  function intExpr(alias, depth = 0) {
    const c = rnd.int(0, depth > 1 ? 2 : 14);
    if (c === 13) {
      // DATE_DIFF counts whole parts, truncated (S3 Select), as DuckDB's
      // date_sub does (DuckDB's date_diff counts boundaries instead).
      const ts = fieldRef('timestamp', alias);
      const part = rnd.pick(['second', 'minute', 'hour', 'day']);
      const lit = `2026-12-0${rnd.int(1, 7)}T${String(rnd.int(0, 23)).padStart(2, '0')}:${rnd.pick(['00', '30', '59'])}`;
      const [a, b] = [`TO_TIMESTAMP(${ts.m})`, `\`${lit}Z\``];
      const [da, db] = [`make_timestamp(${ts.d} * 1000000)`, `TIMESTAMP '${lit.replace('T', ' ')}:00'`];
      const swap = rnd.chance(0.5);
      return { ...ts, m: `DATE_DIFF(${part}, ${swap ? b : a}, ${swap ? a : b})`, d: `date_sub('${part}', ${swap ? db : da}, ${swap ? da : db})`, field: undefined };
    }
    if (c === 14) {
      // DIFF: CAST(FLOAT AS INT) truncates here, rounds in DuckDB: DuckDB truncates first.
      const a = fieldRef('n', alias);
      return { ...a, m: `CAST(${a.m} AS INT)`, d: `CAST(trunc(${a.d}) AS BIGINT)`, t: 'int', approx: false, field: undefined };
    }
    if (c <= 2) {
      const f = rnd.pick(['timestamp', 'timestamp', 'marketing_campaign_id']);
      return fieldRef(f, alias);
    }
    if (c === 10) { // CASE WHEN cond THEN 1 ELSE 0 END (the usual conditional count)
      const cond = condition(alias, 2);
      const [a, b] = [rnd.int(0, 3), rnd.int(0, 3)];
      const hasElse = rnd.chance(0.8);
      return { m: `CASE WHEN ${cond.m} THEN ${a}${hasElse ? ` ELSE ${b}` : ''} END`, d: `CASE WHEN ${cond.d} THEN ${a}${hasElse ? ` ELSE ${b}` : ''} END`,
        t: 'int', nul: !hasElse, mis: false, approx: false, ascii: true };
    }
    if (c === 11) { // NULLIF(x, k)
      const a = intExpr(alias, depth + 1);
      const k = intLiteral(a.field);
      return { ...a, m: `NULLIF(${a.m}, ${k})`, d: `nullif(${a.d}, ${k})`, nul: true, mis: false, field: undefined };
    }
    if (c === 12) { // a chain without parentheses: * and % bind tighter than + and - in both
      const a = intExpr(alias, depth + 1);
      const [k1, k2] = [rnd.int(1, 9), rnd.int(1, 9)];
      const [o1, o2] = [rnd.pick(['+', '-', '*']), rnd.pick(['+', '-', '*', '%'])];
      const neg = a.field && rnd.chance(0.3);
      // (`- -x` keeps a space: `--` would start a comment in both dialects)
      const m = `${k1} ${o1} ${neg ? `-${a.m}` : a.m} ${o2} ${k2}`;
      const d = `${k1} ${o1} ${neg ? `-${a.d}` : a.d} ${o2} ${k2}`;
      return { ...a, m, d, field: undefined };
    }
    if (c === 3) { // CAST of a numeric string (every attempt is one)
      const a = fieldRef('attempt', alias);
      return { ...a, m: `CAST(${a.m} AS ${rnd.pick(['INT', 'INTEGER'])})`, d: `CAST(${a.d} AS BIGINT)`, t: 'int', field: undefined };
    }
    if (c === 4) {
      const s = strExpr(alias, depth + 1);
      return { ...s, m: `${rnd.pick(['CHAR_LENGTH', 'CHARACTER_LENGTH'])}(${s.m})`, d: `length(${s.d})`, t: 'int', field: undefined };
    }
    if (c === 5) {
      const a = intExpr(alias, depth + 1);
      return { ...a, ...coalesceFix(a), nul: false, mis: false, field: undefined };
    }
    if (c === 6) { // EXTRACT from the SendGrid epoch seconds (TO_TIMESTAMP's extension)
      const ts = fieldRef('timestamp', alias);
      const part = rnd.pick(['HOUR', 'DAY', 'MINUTE', 'MONTH']);
      return { ...ts, m: `EXTRACT(${part} FROM TO_TIMESTAMP(${ts.m}))`, d: `extract(${part.toLowerCase()} FROM make_timestamp(${ts.d} * 1000000))`, field: undefined };
    }
    const a = intExpr(alias, depth + 1);
    const k = rnd.int(1, 9);
    const op = rnd.pick(['+', '-', '*', '%', '/']);
    // DIFF: INT / INT truncates here (S3 Select) and is a DOUBLE division in
    // DuckDB, whose integer division is `//`. Both truncate toward zero and
    // give `%` the dividend's sign (-7 / 2 = -3, -7 % 2 = -1), and `//` binds
    // like `*`, so negative operands (DATE_DIFF, CAST(n AS INT)) agree too.
    const dop = op === '/' ? '//' : op;
    return { ...a, m: `(${a.m} ${op} ${k})`, d: `(${a.d} ${dop} ${k})`, field: undefined };
  }
  // COALESCE(x, c): the DuckDB side must carry the same constant.
  function coalesceFix(a) {
    const k = rnd.int(0, 9);
    return { m: `COALESCE(${a.m}, ${k})`, d: `COALESCE(${a.d}, ${k})` };
  }

  function numExpr(alias, depth = 0) {
    const c = rnd.int(0, depth > 1 ? 1 : 6);
    if (c <= 1) return fieldRef('n', alias);
    if (c === 2) { // DIFF: no n / INT: n is INT on some rows (truncating) and DOUBLE in DuckDB; divide by a DECIMAL instead
      const a = numExpr(alias, depth + 1);
      const k = rnd.pick(['4.0', '2.5', '0.5']);
      return { ...a, m: `(${a.m} / ${k})`, d: `(${a.d} / ${k})`, approx: true, field: undefined };
    }
    if (c === 3) {
      const a = numExpr(alias, depth + 1);
      const b = rnd.chance(0.5) ? intExpr(alias, depth + 1) : lit(String(rnd.int(1, 20)), 'int');
      const op = rnd.pick(['+', '-', '*']);
      // keep products of two columns out: INT * INT could overflow
      const right = op === '*' && b.field ? lit(String(rnd.int(1, 20)), 'int') : b;
      return { ...bin(a, right), m: `(${a.m} ${op} ${right.m})`, d: `(${a.d} ${op} ${right.d})`, t: 'num', approx: true };
    }
    if (c === 4) {
      const a = rnd.chance(0.7) ? intExpr(alias, depth + 1) : fieldRef('attempt', alias);
      return { ...a, m: `CAST(${a.m} AS ${rnd.pick(['FLOAT', 'DOUBLE'])})`, d: `CAST(${a.d} AS DOUBLE)`, t: 'num', approx: true, field: undefined };
    }
    if (c === 5) {
      const a = numExpr(alias, depth + 1);
      const k = rnd.int(0, 5);
      return { ...a, m: `COALESCE(${a.m}, ${k})`, d: `COALESCE(${a.d}, ${k})`, nul: false, mis: false, field: undefined };
    }
    const a = numExpr(alias, depth + 1);
    return { ...a, m: `(-${a.m})`, d: `(-${a.d})`, field: undefined };
  }

  function strExpr(alias, depth = 0, { asciiOnly = false } = {}) {
    const c = rnd.int(0, depth > 1 ? 3 : 14);
    const pickField = () => fieldRef(rnd.pick(fieldsOf((f) => f.t === 'str' && (!asciiOnly || f.ascii))), alias);
    if (c <= 3) return pickField();
    if (c === 4 || c === 5) { // DIFF: LOWER/UPPER fold ASCII only here, Unicode in DuckDB: ASCII strings only
      const a = strExpr(alias, depth + 1, { asciiOnly: true });
      const fn = rnd.pick(['LOWER', 'UPPER']);
      return { ...a, m: `${fn}(${a.m})`, d: `${fn.toLowerCase()}(${a.d})`, field: undefined };
    }
    if (c === 6) {
      // DIFF: a negative start counts from the end in DuckDB; starts of 0 and
      // more behave alike (0 shortens the length in both).
      const a = strExpr(alias, depth + 1, { asciiOnly });
      const start = rnd.int(0, 6);
      if (rnd.chance(0.3)) return { ...a, m: `SUBSTRING(${a.m}, ${start})`, d: `substring(${a.d}, ${start})`, field: undefined };
      const len = rnd.int(0, 9);
      const m = rnd.chance(0.5) ? `SUBSTRING(${a.m} FROM ${start} FOR ${len})` : `SUBSTRING(${a.m}, ${start}, ${len})`;
      return { ...a, m, d: `substring(${a.d}, ${start}, ${len})`, field: undefined };
    }
    if (c === 7) {
      const a = strExpr(alias, depth + 1, { asciiOnly });
      const b = rnd.chance(0.5) ? strExpr(alias, depth + 1, { asciiOnly }) : lit(sqlStr(rnd.pick(['-', '@', ' x '])), 'str');
      return { ...bin(a, b), m: `(${a.m} || ${b.m})`, d: `(${a.d} || ${b.d})`, t: 'str', ascii: a.ascii && b.ascii };
    }
    if (c === 8) {
      const a = strExpr(alias, depth + 1, { asciiOnly });
      const b = rnd.chance(0.6) ? lit(sqlStr(rnd.pick(['none', '', 'n/a'])), 'str') : strExpr(alias, depth + 1, { asciiOnly });
      return { m: `COALESCE(${a.m}, ${b.m})`, d: `COALESCE(${a.d}, ${b.d})`, t: 'str', nul: b.nul || b.mis, mis: false, approx: false, ascii: a.ascii && b.ascii };
    }
    if (c === 11) { // TRIM over a padded string
      const a = strExpr(alias, depth + 1, { asciiOnly });
      const padded = { m: `('  ' || ${a.m} || ' ')`, d: `('  ' || ${a.d} || ' ')` };
      const form = rnd.int(0, 4);
      const m = [`TRIM(${padded.m})`, `TRIM(LEADING FROM ${padded.m})`, `TRIM(TRAILING FROM ${padded.m})`, `TRIM(BOTH FROM ${padded.m})`, `TRIM(BOTH 'u1 ' FROM ${a.m})`][form];
      const d = [`trim(${padded.d})`, `ltrim(${padded.d})`, `rtrim(${padded.d})`, `trim(${padded.d})`, `trim(${a.d}, 'u1 ')`][form];
      return { ...a, m, d, field: undefined };
    }
    if (c === 13 || c === 14) {
      // TO_STRING(TO_TIMESTAMP(epoch seconds) [through DATE_TRUNC/DATE_ADD], Java
      // pattern) against strftime over the same instant (UTC in both).
      const ts = fieldRef('timestamp', alias);
      let [tm, td] = [`TO_TIMESTAMP(${ts.m})`, `make_timestamp(${ts.d} * 1000000)`];
      const wrap = rnd.int(0, 2);
      if (wrap === 1) {
        const part = rnd.pick(['day', 'hour', 'minute']);
        [tm, td] = [`DATE_TRUNC('${part}', ${tm})`, `date_trunc('${part}', ${td})`];
      } else if (wrap === 2) {
        const part = rnd.pick(['day', 'hour', 'minute', 'second']);
        const k = rnd.int(-30, 30);
        [tm, td] = [`DATE_ADD(${part}, ${k}, ${tm})`, `(${td} + INTERVAL (${k}) ${part.toUpperCase()})`];
      }
      const [jp, sp] = rnd.pick([["yyyy-MM-dd", '%Y-%m-%d'], ['HH', '%H'], ["yyyy-MM-dd''T''HH:mm", '%Y-%m-%dT%H:%M'],
        ['MMM d, yyyy h a', '%b %-d, %Y %-I %p'], ['H:mm:ss', '%-H:%M:%S'], ['MMMM', '%B'], ['yy/M/d', '%y/%-m/%-d']]);
      return { ...ts, m: `TO_STRING(${tm}, '${jp}')`, d: `strftime(${td}, '${sp}')`, t: 'str', ascii: true, field: undefined };
    }
    if (c === 12) { // NULLIF(s, literal)
      const a = strExpr(alias, depth + 1, { asciiOnly });
      const v = sqlStr(strLiteral(a));
      return { ...a, m: `NULLIF(${a.m}, ${v})`, d: `nullif(${a.d}, ${v})`, nul: true, mis: false, field: undefined };
    }
    if (c === 9) { // CAST(INT AS STRING)
      const a = intExpr(alias, depth + 1);
      return { ...a, m: `CAST(${a.m} AS ${rnd.pick(['STRING', 'VARCHAR'])})`, d: `CAST(${a.d} AS VARCHAR)`, t: 'str', ascii: true, field: undefined };
    }
    // CASE, both forms; every branch a STRING (DuckDB would unify mixed types by casting)
    const r1 = lit(sqlStr(rnd.pick(['a', 'b', 'hit'])), 'str');
    const r2 = rnd.chance(0.5) ? pickField() : lit(sqlStr('other'), 'str');
    const hasElse = rnd.chance(0.7);
    if (rnd.chance(0.5)) {
      const subj = fieldRef(rnd.pick(['event', 'attempt', 'singlesend_id']), alias);
      const v = lit(sqlStr(strLiteral(subj)), 'str');
      const m = `CASE ${subj.m} WHEN ${v.m} THEN ${r1.m}${hasElse ? ` ELSE ${r2.m}` : ''} END`;
      const d = `CASE ${subj.d} WHEN ${v.d} THEN ${r1.d}${hasElse ? ` ELSE ${r2.d}` : ''} END`;
      return { m, d, t: 'str', nul: true, mis: false, approx: false, ascii: r2.ascii };
    }
    const cond = condition(alias, 2);
    const m = `CASE WHEN ${cond.m} THEN ${r1.m}${hasElse ? ` ELSE ${r2.m}` : ''} END`;
    const d = `CASE WHEN ${cond.d} THEN ${r1.d}${hasElse ? ` ELSE ${r2.d}` : ''} END`;
    return { m, d, t: 'str', nul: true, mis: false, approx: false, ascii: r2.ascii };
  }

  function boolExpr(alias) {
    return fieldRef('sg_machine_open', alias);
  }

  function exprOfType(t, alias, depth = 0) {
    if (t === 'int') return intExpr(alias, depth);
    if (t === 'num') return numExpr(alias, depth);
    if (t === 'str') return strExpr(alias, depth);
    return boolExpr(alias);
  }
  const anyExpr = (alias, depth = 0) => exprOfType(rnd.weighted([[3, 'int'], [2, 'num'], [4, 'str'], [0.6, 'bool']]), alias, depth);

  // ---- conditions (BOOL, three-valued in both engines)
  function predicate(alias) {
    const c = rnd.int(0, 11);
    if (c <= 2) { // comparison between compatible types (DIFF: a STRING/number
      // comparison is an error here and an implicit cast in DuckDB; `=`
      // between them is FALSE here: never generated)
      const t = rnd.weighted([[3, 'int'], [2, 'num'], [3, 'str'], [0.5, 'bool']]);
      const a = exprOfType(t, alias, 1);
      const op = t === 'bool' ? rnd.pick(['=', '<>', '!=']) : rnd.pick(['=', '<>', '!=', '<', '<=', '>', '>=']);
      let b;
      if (t === 'bool') b = lit(rnd.pick(['TRUE', 'FALSE']), 'bool');
      else if (t === 'str') b = rnd.chance(0.85) ? lit(sqlStr(strLiteral(a)), 'str') : strExpr(alias, 2);
      else if (t === 'int') b = rnd.chance(0.85) ? lit(intLiteral(a.field), 'int') : intExpr(alias, 2);
      else b = lit(numLiteral(), 'num');
      return { m: `${a.m} ${op} ${b.m}`, d: `${a.d} ${op === '!=' ? '<>' : op} ${b.d}` };
    }
    if (c === 3) { // [NOT] IN, sometimes with a NULL in the list
      const t = rnd.pick(['int', 'str', 'str']);
      const a = t === 'int' ? fieldRef(rnd.pick(['marketing_campaign_id', 'marketing_campaign_id', 'timestamp']), alias) : fieldRef(rnd.pick(['event', 'email', 'attempt', 'url', 'reason', 'mp_message_id']), alias);
      const k = rnd.int(1, 4);
      const items = [];
      for (let i = 0; i < k; i++) items.push(t === 'int' ? intLiteral(a.field) : sqlStr(strLiteral(a)));
      if (rnd.chance(0.2)) items.push('NULL');
      const not = rnd.chance(0.3) ? 'NOT ' : '';
      return { m: `${a.m} ${not}IN (${items.join(', ')})`, d: `${a.d} ${not}IN (${items.join(', ')})` };
    }
    if (c === 4) { // [NOT] BETWEEN
      const t = rnd.pick(['int', 'num', 'str']);
      const not = rnd.chance(0.25) ? 'NOT ' : '';
      if (t === 'str') {
        const a = fieldRef(rnd.pick(['email', 'event', 'sg_event_id']), alias);
        const [lo, hi] = [strLiteral(a), strLiteral(a)].sort();
        return { m: `${a.m} ${not}BETWEEN ${sqlStr(lo)} AND ${sqlStr(hi)}`, d: `${a.d} ${not}BETWEEN ${sqlStr(lo)} AND ${sqlStr(hi)}` };
      }
      const a = t === 'int' ? intExpr(alias, 1) : numExpr(alias, 1);
      let lo = t === 'int' ? Number(intLiteral(a.field)) : rnd.int(-40, 600);
      let hi = t === 'int' ? Number(intLiteral(a.field)) : lo + rnd.int(0, 500);
      if (lo > hi) [lo, hi] = [hi, lo];
      return { m: `${a.m} ${not}BETWEEN ${lo} AND ${hi}`, d: `${a.d} ${not}BETWEEN ${lo} AND ${hi}` };
    }
    if (c === 5 || c === 6) { // [NOT] LIKE, sometimes with ESCAPE
      const a = rnd.chance(0.8) ? fieldRef(rnd.pick(['email', 'event', 'url', 'sg_message_id', 'reason', 'singlesend_id', 'attempt']), alias) : strExpr(alias, 1);
      const not = rnd.chance(0.25) ? 'NOT ' : '';
      const base = strLiteral(a);
      let pat;
      switch (rnd.int(0, 5)) {
        case 0: pat = `${base.slice(0, rnd.int(0, 6))}%`; break;
        case 1: pat = `%${base.slice(-rnd.int(1, 5))}`; break;
        case 2: pat = `%${base.slice(1, 4)}%`; break;
        case 3: pat = base.split('').map((ch) => (rnd.chance(0.25) ? '_' : ch)).join(''); break;
        case 4: pat = `${base.slice(0, 3)}%${base.slice(-2)}`; break;
        default: pat = rnd.pick(['%', '_%', 'user_@%', '%.com', '%ü%', '%!_%', '%!%%']);
      }
      if (pat.includes('!')) {
        return { m: `${a.m} ${not}LIKE ${sqlStr(pat)} ESCAPE '!'`, d: `${a.d} ${not}LIKE ${sqlStr(pat)} ESCAPE '!'` };
      }
      return { m: `${a.m} ${not}LIKE ${sqlStr(pat)}`, d: `${a.d} ${not}LIKE ${sqlStr(pat)}` };
    }
    if (c === 7 || c === 8) { // IS [NOT] NULL: true for NULL and MISSING alike, as DuckDB's IS NULL
      const a = rnd.chance(0.8) ? fieldRef(rnd.pick(Object.keys(FIELDS)), alias) : anyExpr(alias, 1);
      const not = rnd.chance(0.4) ? 'NOT ' : '';
      return { m: `${a.m} IS ${not}NULL`, d: `${a.d} IS ${not}NULL` };
    }
    if (c === 9) {
      // IS [NOT] MISSING. DIFF: DuckDB has no MISSING (an absent member is
      // NULL), so this maps by what the data can hold: a member that is only
      // ever absent (never JSON null) is MISSING exactly when DuckDB sees
      // NULL; one that is never absent is never MISSING. Members that are
      // both null and absent somewhere (reason) are left out.
      const name = rnd.pick(fieldsOf((f) => !(f.nul && f.mis)));
      const a = fieldRef(name, alias);
      const not = rnd.chance(0.4);
      const d = FIELDS[name].mis ? `${a.d} IS ${not ? 'NOT ' : ''}NULL` : (not ? 'TRUE' : 'FALSE');
      return { m: `${a.m} IS ${not ? 'NOT ' : ''}MISSING`, d };
    }
    if (c === 10) { // a BOOL member as a condition
      const a = boolExpr(alias);
      const v = rnd.pick(['TRUE', 'FALSE']);
      return rnd.chance(0.5) ? { m: a.m, d: a.d } : { m: `${a.m} = ${v}`, d: `${a.d} = ${v}` };
    }
    // CAST(attempt AS INT) compared: exercises CAST inside WHERE
    const a = fieldRef('attempt', alias);
    const k = rnd.int(1, 12);
    const op = rnd.pick(['<', '>=', '=']);
    return { m: `CAST(${a.m} AS INT) ${op} ${k}`, d: `CAST(${a.d} AS BIGINT) ${op} ${k}` };
  }

  function condition(alias, depth = 0) {
    if (depth >= 2 || rnd.chance(0.45)) {
      return predicate(alias);
    }
    const c = rnd.int(0, 4);
    if (c === 0) {
      const a = condition(alias, depth + 1);
      return { m: `NOT (${a.m})`, d: `NOT (${a.d})` };
    }
    const op = c <= 2 ? 'AND' : 'OR';
    if (rnd.chance(0.35)) {
      // a flat chain of predicates: NOT binds looser than comparisons, AND
      // tighter than OR, in both dialects.
      const k = rnd.int(2, 4);
      const parts = [];
      for (let i = 0; i < k; i++) {
        const p = predicate(alias);
        parts.push(rnd.chance(0.2) ? { m: `NOT ${p.m}`, d: `NOT ${p.d}` } : p);
      }
      const ops = parts.slice(1).map(() => rnd.pick(['AND', 'OR']));
      return { m: parts.map((p, i) => (i ? `${ops[i - 1]} ` : '') + p.m).join(' '), d: parts.map((p, i) => (i ? `${ops[i - 1]} ` : '') + p.d).join(' ') };
    }
    const a = condition(alias, depth + 1);
    const b = condition(alias, depth + 1);
    return { m: `(${a.m}) ${op} (${b.m})`, d: `(${a.d}) ${op} (${b.d})` };
  }

  // ---- aggregates
  function aggregate(alias, depth = 0) {
    if (depth === 0 && rnd.chance(0.12)) {
      // Arithmetic over aggregates of INTs (no `/`: INT division, see intExpr).
      const ia = () => {
        for (;;) { const a = aggregate(alias, 1); if (a.int) return a; }
      };
      // Products only with a constant: SUM * MIN of timestamps overflows INT
      // (an error here, a HUGEINT in DuckDB).
      const op = rnd.pick(['+', '-', '*']);
      const [a, b] = [ia(), op !== '*' && rnd.chance(0.6) ? ia() : { m: String(rnd.int(1, 9)), d: null }];
      return { m: `${a.m} ${op} ${b.m}`, d: `${a.d} ${op} ${b.d ?? b.m}`, approx: false, int: true };
    }
    const distinct = rnd.chance(0.15) ? 'DISTINCT ' : ''; // all aggregates accept DISTINCT (extension)
    const c = rnd.int(0, 9);
    if (c === 0) return { m: 'COUNT(*)', d: 'count(*)', approx: false, int: true };
    if (c === 1) {
      const a = fieldRef(rnd.pick(Object.keys(FIELDS)), alias);
      return { m: `COUNT(${a.m})`, d: `count(${a.d})`, approx: false, int: true };
    }
    if (c === 2 || c === 3) {
      const a = rnd.chance(0.7) ? fieldRef(rnd.pick(fieldsOf((f) => ['str', 'int', 'num', 'bool'].includes(f.t))), alias) : exprOfType(rnd.pick(['str', 'int']), alias, 1);
      return { m: `COUNT(DISTINCT ${a.m})`, d: `count(DISTINCT ${a.d})`, approx: false, int: true };
    }
    if (c === 4 || c === 5) { // SUM, of INTs exact; of floats with a tolerance
      const a = rnd.chance(0.5) ? intExpr(alias, 1) : numExpr(alias, 1);
      return { m: `SUM(${distinct}${a.m})`, d: `sum(${distinct}${a.d})`, approx: a.approx, int: a.t === 'int' };
    }
    if (c === 6 || c === 7) { // MIN/MAX keep the type: INT, number, STRING
      const a = exprOfType(rnd.pick(['int', 'num', 'str']), alias, 1);
      const fn = rnd.pick(['MIN', 'MAX']);
      return { m: `${fn}(${distinct}${a.m})`, d: `${fn.toLowerCase()}(${distinct}${a.d})`, approx: a.approx, int: a.t === 'int' };
    }
    // AVG: DIFF: DECIMAL (a tagged double) for INTs here, DOUBLE in DuckDB:
    // the values agree up to rounding, so AVG is always compared with a tolerance.
    const a = rnd.chance(0.5) ? intExpr(alias, 1) : numExpr(alias, 1);
    return { m: `AVG(${distinct}${a.m})`, d: `avg(${distinct}${a.d})`, approx: true };
  }

  // ---- statements
  // Returns { m, d, cols: [{name, approx}], ordered }.
  const from = () => rnd.weighted([[6, ['S3Object s', 's']], [1, ['S3Object AS e', 'e']], [1, ['S3Object', null]]]);

  // An ORDER BY key over rows. DIFF: NULL and MISSING sort first ascending
  // (last descending) here; DuckDB is told NULLS FIRST/LAST to match. A key
  // that can be both NULL and MISSING (reason) is avoided: their order among
  // each other is mailpulse's own.
  function orderKey(alias) {
    for (;;) {
      const e = anyExpr(alias, 1);
      if (!(e.nul && e.mis) && !/reason/.test(e.d)) return e;
    }
  }
  const dir = () => (rnd.chance(0.4) ? ['DESC', 'DESC NULLS LAST'] : rnd.pick([['', 'NULLS FIRST'], ['ASC', 'ASC NULLS FIRST']]));

  function projection() {
    const [src, alias] = from();
    if (rnd.chance(0.06)) {
      // SELECT *: the record as stored. category is dropped from both sides
      // (JSON in DuckDB), absent members are null (see normalizeOurs).
      const names = Object.keys(FIELDS).filter((k) => k !== 'category');
      const w = condition(alias);
      return {
        m: `SELECT * FROM ${src} WHERE ${w.m}`,
        d: `SELECT ${names.map((k) => `"${k}"`).join(', ')} FROM ev WHERE ${w.d}`,
        cols: names.map((k) => ({ name: k, approx: !!FIELDS[k].approx })), ordered: false, ignore: ['category'],
      };
    }
    const k = rnd.int(1, 4);
    const cols = [];
    const ms = [];
    const ds = [];
    const used = new Set();
    for (let i = 0; i < k; i++) {
      const e = anyExpr(alias);
      let name;
      let m = e.m;
      // A path is named by its last field as written (`s.EMAIL` → EMAIL,
      // `s."timestamp"` → timestamp); another expression by its position, _N.
      const written = e.field ? e.m.replace(/^\w+\./, '').replaceAll('"', '') : null;
      if (written && (used.has(written) || rnd.chance(0.4))) { name = `c${i}`; m = `${e.m} AS ${name}`; } else if (written) name = written;
      else if (rnd.chance(0.6)) { name = `c${i}`; m = `${e.m} AS ${name}`; } else name = `_${i + 1}`;
      used.add(name);
      cols.push({ name, approx: e.approx });
      ms.push(m);
      ds.push(`${e.d} AS "${name}"`);
    }
    let m = `SELECT ${ms.join(', ')} FROM ${src}`;
    let d = `SELECT ${ds.join(', ')} FROM ev`;
    if (rnd.chance(0.8)) {
      const w = condition(alias);
      m += ` WHERE ${w.m}`;
      d += ` WHERE ${w.d}`;
    }
    let ordered = false;
    if (rnd.chance(0.35)) {
      // ORDER BY a key, then the unique sg_event_id: a total order, so LIMIT is deterministic.
      const key = orderKey(alias);
      const [mdir, ddir] = dir();
      const id = fieldRef('sg_event_id', alias);
      const [idm, idd] = rnd.chance(0.3) ? ['DESC', 'DESC'] : ['', ''];
      m += ` ORDER BY ${key.m}${mdir ? ` ${mdir}` : ''}, ${id.m}${idm ? ` ${idm}` : ''}`;
      d += ` ORDER BY ${key.d} ${ddir}, ${id.d} ${idd}`;
      if (rnd.chance(0.7)) { const n = rnd.int(0, 40); m += ` LIMIT ${n}`; d += ` LIMIT ${n}`; }
      ordered = true;
    } else if (rnd.chance(0.2)) {
      // LIMIT without ORDER BY: which rows is unspecified (mailpulse stops
      // the scan early), so the check is min(n, all) rows, each one of
      // DuckDB's answer without the LIMIT.
      const n = rnd.int(0, 60);
      m += ` LIMIT ${n}`;
      return { m, d, cols, ordered: false, limit: n };
    }
    return { m, d, cols, ordered };
  }

  function globalAggregate() {
    const [src, alias] = from();
    const k = rnd.int(1, 4);
    const cols = [];
    const ms = [];
    const ds = [];
    for (let i = 0; i < k; i++) {
      const a = aggregate(alias);
      const name = rnd.chance(0.6) ? `a${i}` : `_${i + 1}`;
      cols.push({ name, approx: a.approx });
      ms.push(name.startsWith('_') ? a.m : `${a.m} AS ${name}`);
      ds.push(`${a.d} AS "${name}"`);
    }
    let m = `SELECT ${ms.join(', ')} FROM ${src}`;
    let d = `SELECT ${ds.join(', ')} FROM ev`;
    if (rnd.chance(0.75)) {
      const w = condition(alias);
      m += ` WHERE ${w.m}`;
      d += ` WHERE ${w.d}`;
    }
    return { m, d, cols, ordered: true };
  }

  // A GROUP BY key. DIFF: mailpulse keeps NULL and MISSING as two groups
  // (GROUP BY is an extension; S3 Select has none), DuckDB has one NULL
  // group: keys that can be both (reason) are not grouped on. Keys that can
  // be MISSING only print without the column here and null there: normalized.
  // No grouping on n or other floats (no exact group equality across engines
  // to rely on after arithmetic).
  function groupKey(alias) {
    for (;;) {
      const c = rnd.int(0, 5);
      let e;
      if (c <= 2) e = fieldRef(rnd.pick(['event', 'marketing_campaign_id', 'singlesend_id', 'attempt', 'url', 'sg_machine_open', 'email', 'mp_message_id']), alias);
      else if (c === 3) e = strExpr(alias, 1);
      else if (c === 4) e = intExpr(alias, 1);
      else e = fieldRef('n', alias); // n's values are exact JSON numbers: fine as a key itself
      if (!(e.nul && e.mis) && !/reason/.test(e.d)) return e;
    }
  }

  function grouped() {
    const [src, alias] = from();
    const nk = rnd.chance(0.55) ? 1 : 2;
    const keys = [];
    for (let i = 0; i < nk; i++) {
      let e;
      do e = groupKey(alias); while (keys.some((x) => x.d === e.d));
      keys.push(e);
    }
    const cols = [];
    const ms = [];
    const ds = [];
    // The SELECT list repeats each key, maybe spelled in another case or
    // without the alias (mailpulse compares them case-insensitively).
    keys.forEach((e, i) => {
      let sel = e.m;
      if (e.field && !FIELDS[e.field].quote && !e.m.includes('"') && rnd.chance(0.3)) {
        const f = fieldRef(e.field, alias && rnd.chance(0.7) ? alias : null);
        if (!f.m.includes('"')) sel = f.m;
      }
      const name = `k${i}`;
      const bare = sel.replace(/^\w+\./, '');
      if (e.field && bare === e.field && !cols.some((c) => c.name === e.field) && rnd.chance(0.5)) {
        cols.push({ name: e.field, approx: e.approx, key: true });
        ms.push(sel);
        ds.push(`${e.d} AS "${e.field}"`);
      } else {
        cols.push({ name, approx: e.approx, key: true });
        ms.push(`${sel} AS ${name}`);
        ds.push(`${e.d} AS "${name}"`);
      }
    });
    const na = rnd.int(1, 3);
    const aggs = [];
    for (let i = 0; i < na; i++) {
      const a = aggregate(alias);
      aggs.push(a);
      const name = rnd.chance(0.7) ? `a${i}` : `_${nk + i + 1}`;
      cols.push({ name, approx: a.approx });
      ms.push(name.startsWith('_') ? a.m : `${a.m} AS ${name}`);
      ds.push(`${a.d} AS "${name}"`);
    }
    let m = `SELECT ${ms.join(', ')} FROM ${src}`;
    let d = `SELECT ${ds.join(', ')} FROM ev`;
    if (rnd.chance(0.6)) {
      const w = condition(alias);
      m += ` WHERE ${w.m}`;
      d += ` WHERE ${w.d}`;
    }
    m += ` GROUP BY ${keys.map((k) => k.m).join(', ')}`;
    d += ` GROUP BY ${keys.map((k) => k.d).join(', ')}`;
    if (rnd.chance(0.3)) {
      const h = rnd.int(1, 30);
      if (rnd.chance(0.6)) {
        m += ` HAVING COUNT(*) > ${h}`;
        d += ` HAVING count(*) > ${h}`;
      } else {
        const a = aggregate(alias, 1);
        const op = rnd.pick(['>', '<', '>=', '<>']);
        const v = a.int || a.approx ? String(h) : sqlStr(rnd.pick(['m', 'user5', 'https://example.com/']));
        const minmaxStr = !a.int && !a.approx;
        // MIN/MAX of a STRING compares with a STRING literal; anything else with a number
        m += ` HAVING ${a.m} ${op} ${minmaxStr ? v : h}${rnd.chance(0.3) ? ` OR COUNT(*) = ${h}` : ''}`;
        d += ` HAVING ${a.d} ${op} ${minmaxStr ? v : h}${m.endsWith(` OR COUNT(*) = ${h}`) ? ` OR count(*) = ${h}` : ''}`;
      }
    }
    // ORDER BY every group key (by expression, output name or position), so
    // the order is total; sometimes an aggregate first.
    const om = [];
    const od = [];
    if (rnd.chance(0.2)) {
      const [mdir, ddir] = dir();
      om.push(`${nk + 1}${mdir ? ` ${mdir}` : ''}`);
      od.push(`${nk + 1} ${ddir}`);
    }
    keys.forEach((e, i) => {
      const [mdir, ddir] = dir();
      const how = rnd.int(0, 2);
      const ref = how === 0 ? e.m : how === 1 ? cols[i].name : String(i + 1);
      om.push(`${ref}${mdir ? ` ${mdir}` : ''}`);
      od.push(`${i + 1} ${ddir}`);
    });
    m += ` ORDER BY ${om.join(', ')}`;
    d += ` ORDER BY ${od.join(', ')}`;
    if (rnd.chance(0.3)) { const n = rnd.int(1, 15); m += ` LIMIT ${n}`; d += ` LIMIT ${n}`; }
    return { m, d, cols, ordered: true };
  }

  // The same statement in other clothes: keywords in any case, line breaks
  // and `-- comments`, a trailing `;` (all accepted by both; only the
  // mailpulse text changes). Quoted text is left alone.
  const KEYWORDS = /\b(SELECT|FROM|WHERE|GROUP|BY|ORDER|HAVING|LIMIT|AND|OR|NOT|IN|BETWEEN|LIKE|ESCAPE|IS|NULL|MISSING|CASE|WHEN|THEN|ELSE|END|AS|COUNT|SUM|MIN|MAX|AVG|DISTINCT|COALESCE|NULLIF|LOWER|UPPER|SUBSTRING|FOR|CAST|TRUE|FALSE|DESC|ASC|S3Object|EXTRACT|TO_TIMESTAMP|TRIM|LEADING|TRAILING|BOTH|CHAR_LENGTH|INT|FLOAT|STRING|HOUR|DAY)\b/g;
  function surface(sql) {
    const lower = rnd.chance(0.3);
    const breaks = rnd.chance(0.25);
    const parts = sql.split(/('(?:[^']|'')*'|"[^"]*")/);
    const out = parts.map((part, i) => {
      if (i % 2) return part; // a literal or a quoted name
      let t = part;
      if (lower) t = t.replace(KEYWORDS, (w) => (rnd.chance(0.5) ? w.toLowerCase() : w[0] + w.slice(1).toLowerCase()));
      if (breaks) t = t.replace(/ (FROM|WHERE|GROUP BY|ORDER BY|HAVING|LIMIT) /gi, (w, kw) => `\n  -- ${kw.toLowerCase()} clause\n${kw} `);
      return t;
    }).join('');
    return rnd.chance(0.1) ? `${out};` : out;
  }

  return () => {
    const q = rnd.weighted([[5, projection], [3, globalAggregate], [5, grouped]])();
    return { ...q, m: surface(q.m) };
  };
}

// ---------------------------------------------------------------- comparing

const TOL = 1e-9;
function close(a, b) {
  if (a === b) return true;
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  return Math.abs(a - b) <= TOL * Math.max(1, Math.abs(a), Math.abs(b));
}

// DIFF: MISSING columns are left out of mailpulse's JSON rows; DuckDB has
// only NULL. A column the query names but a row lacks is null here.
function normalizeOurs(rows, cols, ignore = []) {
  return rows.map((r) => {
    const extra = Object.keys(r).filter((k) => !cols.some((c) => c.name === k) && !ignore.includes(k));
    if (extra.length) throw new Error(`unexpected columns ${extra.join(', ')} in ${JSON.stringify(r)}`);
    return Object.fromEntries(cols.map((c) => [c.name, r[c.name] === undefined ? null : r[c.name]]));
  });
}
// DuckDB's BIGINT/HUGEINT come back as BigInt (all ours fit a double exactly).
function normalizeTheirs(rows, cols) {
  return rows.map((r) => Object.fromEntries(cols.map((c) => {
    const v = r[c.name];
    return [c.name, typeof v === 'bigint' ? Number(v) : v === undefined ? null : v];
  })));
}

function rowsEqual(a, b, cols) {
  return cols.every((c) => (c.approx ? close(a[c.name], b[c.name]) : a[c.name] === b[c.name]));
}

// Returns null when equal, else a reason. With `limit`, `got` must be
// min(limit, |want|) rows of `want` (a sub-multiset).
function compare(got, want, cols, ordered, limit) {
  if (limit !== undefined) {
    if (got.length !== Math.min(limit, want.length)) return `LIMIT ${limit}: mailpulse ${got.length} rows, DuckDB has ${want.length} without the LIMIT`;
  } else if (got.length !== want.length) return `row counts differ: mailpulse ${got.length}, DuckDB ${want.length}`;
  if (ordered) {
    for (let i = 0; i < got.length; i++) {
      if (!rowsEqual(got[i], want[i], cols)) return `row ${i} differs: ${JSON.stringify(got[i])} vs ${JSON.stringify(want[i])}`;
    }
    return null;
  }
  // Multisets: bucket by the exact columns, match the approximate ones within the tolerance.
  const exactKey = (r) => JSON.stringify(cols.filter((c) => !c.approx).map((c) => r[c.name]));
  const buckets = new Map();
  for (const r of want) {
    const k = exactKey(r);
    if (!buckets.has(k)) buckets.set(k, []);
    buckets.get(k).push(r);
  }
  for (const r of got) {
    const b = buckets.get(exactKey(r));
    const i = b ? b.findIndex((w) => rowsEqual(r, w, cols)) : -1;
    if (i < 0) return `mailpulse row not in DuckDB's answer: ${JSON.stringify(r)}`;
    b.splice(i, 1);
  }
  return null;
}

function runOurs(lake, sql) {
  return new Promise((resolve) => {
    execFile(BIN, ['query', '--lake', lake, '--prefix', 'events/', sql],
      { maxBuffer: 1 << 28, env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } },
      (err, stdout, stderr) => resolve({ err, stdout, stderr }));
  });
}

// Runs fn over items with at most `limit` in flight.
async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); }
  }));
  return out;
}

test('mailpulse query agrees with DuckDB on generated data and generated queries', { timeout: 120000 }, async () => {
  const started = Date.now();
  const rnd = prng(SEED);
  const dir = tempDir('mailpulse-qdiff-');
  const lake = path.join(dir, 'lake');
  const facts = buildLake(lake, rnd);
  assert.ok(facts.records >= 5000 && facts.objects >= 20, JSON.stringify({ records: facts.records, objects: facts.objects }));

  // DuckDB reads the same objects once into a table (the queries then run
  // over it instead of re-reading the glob 150 times; same rows, same types).
  const glob = path.join(lake, 'events', '**', '*.json.gz');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`CREATE TABLE ev AS SELECT * FROM read_json_auto('${glob}', format = 'newline_delimited', union_by_name = true, hive_partitioning = false)`);
  const types = Object.fromEntries((await db.runAndReadAll('DESCRIBE ev')).getRowObjectsJS().map((r) => [r.column_name, r.column_type]));
  // The generator relies on these inferred types (see FIELDS).
  assert.deepEqual(
    Object.fromEntries(Object.keys(FIELDS).map((k) => [k, types[k]])),
    { event: 'VARCHAR', email: 'VARCHAR', timestamp: 'BIGINT', sg_event_id: 'VARCHAR', sg_message_id: 'VARCHAR', mp_message_id: 'VARCHAR',
      singlesend_id: 'VARCHAR', marketing_campaign_id: 'BIGINT', url: 'VARCHAR', sg_machine_open: 'BOOLEAN', attempt: 'VARCHAR',
      n: 'DOUBLE', reason: 'VARCHAR', category: 'JSON' });
  const count = Number((await db.runAndReadAll('SELECT count(*) AS n FROM ev')).getRowObjectsJS()[0].n);
  assert.equal(count, facts.records);

  const gen = makeGen(rnd, facts);
  const queries = [];
  for (let i = 0; i < QUERIES; i++) queries.push(gen());
  // A few fixed ones first, so the basics are always covered.
  // Partition pruning (event → event_type=, lower-cased) must never change
  // an answer: mixed-case values live in lower-case folders.
  const pruned = [
    [`s.event = 'Open'`, `event = 'Open'`], [`s.EVENT = 'open'`, `event = 'open'`], [`event = 'CLICK'`, `event = 'CLICK'`],
    [`s."event" IN ('Delivered', 'bounce')`, `event IN ('Delivered', 'bounce')`],
    [`s.event = 'open' AND s.sg_machine_open = FALSE`, `event = 'open' AND sg_machine_open = FALSE`],
    [`s.event IN ('click', 'Click', 'CLICK') AND s.url LIKE '%example.com%'`, `event IN ('click', 'Click', 'CLICK') AND url LIKE '%example.com%'`],
    [`s.event = 'group_unsubscribe'`, `event = 'group_unsubscribe'`],
  ].map(([wm, wd]) => ({
    m: `SELECT s.event, COUNT(*) AS n FROM S3Object${wm.startsWith('event') ? '' : ' s'} WHERE ${wm} GROUP BY ${wm.startsWith('event') ? 'event' : 's.event'} ORDER BY 1`,
    d: `SELECT event, count(*) AS n FROM ev WHERE ${wd} GROUP BY event ORDER BY 1`, cols: [{ name: 'event' }, { name: 'n' }], ordered: true,
  }));
  for (const q of pruned) if (q.m.includes('FROM S3Object WHERE')) q.m = q.m.replace('SELECT s.event', 'SELECT event');
  queries.unshift(
    ...pruned,
    { m: 'SELECT COUNT(*) AS n FROM S3Object', d: 'SELECT count(*) AS n FROM ev', cols: [{ name: 'n' }], ordered: true },
    { m: `SELECT s.event, COUNT(*) AS n, COUNT(s.url) AS urls, COUNT(DISTINCT s.email) AS people FROM S3Object s GROUP BY s.event ORDER BY s.event`,
      d: 'SELECT event, count(*) AS n, count(url) AS urls, count(DISTINCT email) AS people FROM ev GROUP BY event ORDER BY event',
      cols: [{ name: 'event' }, { name: 'n' }, { name: 'urls' }, { name: 'people' }], ordered: true },
    { m: `SELECT s.marketing_campaign_id AS c, s.sg_machine_open AS mo, COUNT(*) AS n FROM S3Object s WHERE s.event = 'open' GROUP BY s.marketing_campaign_id, s.sg_machine_open ORDER BY c, mo`,
      d: `SELECT marketing_campaign_id AS c, sg_machine_open AS mo, count(*) AS n FROM ev WHERE event = 'open' GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST`,
      cols: [{ name: 'c' }, { name: 'mo' }, { name: 'n' }], ordered: true },
  );

  // mailpulse in parallel processes (one per query), DuckDB meanwhile.
  const oursP = pool(queries, 2, (q) => runOurs(lake, q.m));
  const theirs = [];
  for (const q of queries) {
    try {
      theirs.push({ rows: (await db.runAndReadAll(q.d)).getRowObjectsJS() });
    } catch (e) {
      theirs.push({ error: e.message });
    }
  }
  const ours = await oursP;

  const failures = [];
  let rows = 0;
  let nonEmpty = 0;
  queries.forEach((q, i) => {
    const o = ours[i];
    const t = theirs[i];
    const show = (reason, got, want) => failures.push(
      `#${i}: ${reason}\n  mailpulse: ${q.m}\n  DuckDB:    ${q.d}\n` +
      `  mailpulse rows (${got ? got.length : '-'}): ${got ? got.slice(0, 15).map((r) => JSON.stringify(r)).join('\n    ') : `${o.stderr}${o.stdout.slice(0, 2000)}`}\n` +
      `  DuckDB rows (${want ? want.length : '-'}): ${want ? want.slice(0, 15).map((r) => JSON.stringify(r)).join('\n    ') : t.error || JSON.stringify(t.rows.slice(0, 15), (k, v) => (typeof v === 'bigint' ? Number(v) : v))}`);
    if (t.error) return show('DuckDB failed (generator bug)', null, null);
    if (o.err) return show(`mailpulse failed (exit ${o.err.code})`, null, null);
    let got;
    try {
      got = normalizeOurs(o.stdout.split('\n').filter((l) => l).map((l) => JSON.parse(l)), q.cols, q.ignore);
    } catch (e) {
      return show(`unreadable output: ${e.message}`, null, null);
    }
    const want = normalizeTheirs(t.rows, q.cols);
    const why = compare(got, want, q.cols, q.ordered, q.limit);
    if (why) return show(why, got, want);
    rows += got.length;
    if (got.length) nonEmpty++;
  });
  const elapsed = Date.now() - started;
  console.log(`query-differential: ${facts.objects} objects, ${facts.records} records; ${queries.length} queries ` +
    `(${nonEmpty} with rows), ${rows} rows compared, ${failures.length} mismatches, ${elapsed} ms`);
  if (failures.length === 0) fs.rmSync(dir, { recursive: true, force: true }); // kept for a look otherwise
  assert.equal(failures.length, 0, `${failures.length} of ${queries.length} queries differ (lake kept in ${lake}):\n\n${failures.join('\n\n')}`);
  // The generator must produce queries that find something, or the comparison is vacuous.
  assert.ok(nonEmpty >= queries.length * 0.6, `only ${nonEmpty} of ${queries.length} queries returned rows`);
});
