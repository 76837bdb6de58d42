// `mailpulse query` against DuckDB on the same lake: the server ingests a
// mix of events and delivers them (local lake, gzip JSON lines); then each
// query runs through mailpulse's S3 Select engine and, written in DuckDB's
// dialect, through read_json_auto. The rows must be equal. Also checks that
// partition pruning skips objects without changing answers, and the exit
// code and message of a bad query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { BIN, makeKeyPair, sendgridBody, signedHeaders, startServer, event, messageId, post, tempDir } from './lib.mjs';
import { localLines, metric, waitFor, startS3rver, s3LakeArgs, s3Client, s3Lines } from './lake-lib.mjs';

function mailpulseQuery(dataDir, sql, extra = []) {
  const out = execFileSync(BIN, ['query', '--data-dir', dataDir, ...extra, sql],
    { maxBuffer: 1 << 28, env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } }).toString();
  return out.split('\n').filter((l) => l).map((l) => JSON.parse(l));
}

// DuckDB's BIGINTs come back as BigInt; JSON numbers are Numbers.
function plain(rows) {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) =>
    [k, typeof v === 'bigint' ? Number(v) : v])));
}

test('mailpulse query agrees with DuckDB read_json_auto on the delivered lake', { timeout: 120000 }, async () => {
  const keys = makeKeyPair();
  const server = await startServer(['--sendgrid-public-key', keys.publicB64, '--flush-interval', '1']);
  const events = [];
  const types = ['processed', 'delivered', 'open', 'click', 'bounce', 'open', 'open', 'click'];
  for (let i = 0; i < 48; i++) {
    const msg = messageId();
    const extra = i % 5 === 0 ? { singlesend_id: `ss-${i % 2}` } : { marketing_campaign_id: 700 + (i % 3) };
    if (types[i % types.length] === 'click') extra.url = `https://example.com/${i % 4}`;
    events.push(event(types[i % types.length], msg, extra));
  }
  try {
    for (let i = 0; i < events.length; i += 12) {
      const body = sendgridBody(events.slice(i, i + 12));
      const res = await post(`${server.base}/v1/webhooks/sendgrid`, body, signedHeaders(keys.privateKey, body));
      assert.equal(res.status, 200);
    }
    await waitFor('every event in the lake', async () =>
      localLines(path.join(server.dataDir, 'lake', 'events')).length >= events.length &&
      (await metric(server.base, 'mailpulse_delivery_lag_records', 'source="events"')) === 0, 60000);
  } finally {
    await server.stop();
  }
  const dataDir = server.dataDir;
  const glob = path.join(dataDir, 'lake', 'events', '**', '*.json.gz');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const duck = async (sql) => plain((await db.runAndReadAll(
    sql.replaceAll('LAKE', `read_json_auto('${glob}', format = 'newline_delimited')`))).getRowObjectsJS());

  const pairs = [
    [`SELECT s.event, COUNT(*) AS n FROM S3Object s GROUP BY s.event ORDER BY s.event`,
      `SELECT event, count(*)::BIGINT AS n FROM LAKE GROUP BY event ORDER BY event`],
    [`SELECT s.sg_event_id, s.email FROM S3Object s WHERE s.event = 'open' AND s.marketing_campaign_id = 701 ORDER BY s.sg_event_id`,
      `SELECT sg_event_id, email FROM LAKE WHERE event = 'open' AND marketing_campaign_id = 701 ORDER BY sg_event_id`],
    [`SELECT COUNT(DISTINCT s.email) AS people, MIN(s."timestamp") AS lo, MAX(s."timestamp") AS hi, SUM(s.mp_event_ms) AS total FROM S3Object s`,
      `SELECT count(DISTINCT email)::BIGINT AS people, min("timestamp")::BIGINT AS lo, max("timestamp")::BIGINT AS hi, sum(mp_event_ms)::BIGINT AS total FROM LAKE`],
    [`SELECT s.email FROM S3Object s WHERE s.email LIKE 'user1%' ORDER BY s.email`,
      `SELECT email FROM LAKE WHERE email LIKE 'user1%' ORDER BY email`],
    [`SELECT s.url, COUNT(*) AS n FROM S3Object s WHERE s.event = 'click' GROUP BY s.url ORDER BY n DESC, s.url`,
      `SELECT url, count(*)::BIGINT AS n FROM LAKE WHERE event = 'click' GROUP BY url ORDER BY n DESC, url`],
    [`SELECT s.singlesend_id AS ss, COUNT(*) AS n FROM S3Object s WHERE s.singlesend_id IS NOT NULL GROUP BY s.singlesend_id ORDER BY ss`,
      `SELECT singlesend_id AS ss, count(*)::BIGINT AS n FROM LAKE WHERE singlesend_id IS NOT NULL GROUP BY singlesend_id ORDER BY ss`],
  ];
  for (const [ours, theirs] of pairs) {
    const got = mailpulseQuery(dataDir, ours);
    const want = await duck(theirs);
    assert.ok(want.length > 0, `DuckDB finds rows for: ${theirs}`);
    assert.deepEqual(got, want, ours);
  }
  assert.equal(mailpulseQuery(dataDir, 'SELECT COUNT(*) AS n FROM S3Object')[0].n, events.length);

  // Pruning by the event_type folder: fewer objects read, same answer.
  const stats = spawnSync(BIN, ['query', '--data-dir', dataDir, '--stats',
    `SELECT COUNT(*) AS n FROM S3Object s WHERE s.event = 'bounce'`], { env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
  assert.equal(stats.status, 0, stats.stderr.toString());
  assert.deepEqual(JSON.parse(stats.stdout.toString()), { n: events.filter((e) => e.event === 'bounce').length });
  const m = stats.stderr.toString().match(/objects: (\d+) listed, (\d+) pruned/);
  assert.ok(m && Number(m[2]) > 0 && Number(m[2]) < Number(m[1]), stats.stderr.toString());

  // A bad query: exit 2, the message on stderr, nothing on stdout.
  const bad = spawnSync(BIN, ['query', '--data-dir', dataDir, 'SELECT * FORM S3Object'],
    { env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout.toString(), '');
  assert.match(bad.stderr.toString(), /line 1, column 10: expected FROM, found 'FORM'/);
});

test('mailpulse query reads an S3 lake (s3rver): counts, a pruned filter, LIMIT', { timeout: 120000 }, async () => {
  const s3 = await startS3rver(tempDir('mailpulse-s3-'));
  const keys = makeKeyPair();
  const lake = s3LakeArgs(s3.endpoint);
  const server = await startServer(['--sendgrid-public-key', keys.publicB64, '--flush-interval', '1', ...lake]);
  const events = [];
  const types = ['delivered', 'open', 'click', 'open'];
  for (let i = 0; i < 24; i++) events.push(event(types[i % 4], messageId(), { marketing_campaign_id: 900 + (i % 4) }));
  try {
    for (let i = 0; i < events.length; i += 6) {
      const body = sendgridBody(events.slice(i, i + 6));
      const res = await post(`${server.base}/v1/webhooks/sendgrid`, body, signedHeaders(keys.privateKey, body));
      assert.equal(res.status, 200);
    }
    const client = s3Client(s3.endpoint);
    await waitFor('every event in the S3 lake', async () => (await s3Lines(client, 'lake/events/')).length >= events.length, 60000);
  } finally {
    await server.stop();
  }
  try {
    const dataDir = tempDir();
    const counts = mailpulseQuery(dataDir, 'SELECT s.event, COUNT(*) AS n FROM S3Object s GROUP BY s.event ORDER BY s.event', lake);
    const want = {};
    for (const e of events) want[e.event] = (want[e.event] || 0) + 1;
    assert.deepEqual(counts, Object.keys(want).sort().map((k) => ({ event: k, n: want[k] })));
    const clicks = mailpulseQuery(dataDir,
      `SELECT s.sg_event_id AS id FROM S3Object s WHERE s.event = 'click' ORDER BY id`, lake);
    assert.deepEqual(clicks.map((r) => r.id),
      events.filter((e) => e.event === 'click').map((e) => e.sg_event_id).sort());
    const limited = mailpulseQuery(dataDir, 'SELECT * FROM S3Object LIMIT 3', lake);
    assert.equal(limited.length, 3);
  } finally {
    await s3.stop();
  }
});
