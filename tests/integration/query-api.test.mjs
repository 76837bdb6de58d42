// POST /v1/query: the lake's SQL over HTTP, against a real server whose lake
// was filled by its own delivery. Exact rows; refusals before any output;
// errors after the first bytes end the body with an {"error"} line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, sendgridBody, event, messageId, post } from './lib.mjs';
import { localLines, waitFor } from './lake-lib.mjs';

const TOKEN = 'query-secret';
const auth = { Authorization: `Bearer ${TOKEN}` };

async function query(base, sql, params = '', headers = auth) {
  const res = await fetch(`${base}/v1/query${params}`, { method: 'POST', body: sql, headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

test('POST /v1/query answers from the lake exactly, streams, and refuses clearly', { timeout: 60000 }, async () => {
  const server = await startServer(['--allow-unsigned', '--flush-interval', '0', '--api-token', TOKEN,
    '--query-max-rows', '50']);
  try {
    const events = [];
    for (let i = 0; i < 60; i++) {
      const msg = messageId();
      events.push(event('delivered', msg, { singlesend_id: 'ss-q' }));
      if (i % 3 === 0) events.push(event('open', msg, { singlesend_id: 'ss-q' }));
      if (i % 10 === 0) events.push(event('click', msg, { singlesend_id: 'ss-q', url: `https://example.com/${i % 20}` }));
    }
    const body = sendgridBody(events);
    const res = await post(`${server.base}/v1/webhooks/sendgrid`, body, { 'Content-Type': 'application/json' });
    assert.deepEqual(res.json, { accepted: 86, duplicates: 0, rejected: 0 });
    await waitFor('86 events in the lake', async () => localLines(path.join(server.dataDir, 'lake', 'events')).length === 86);

    // No token: 401 with a reason, before anything runs.
    const anon = await query(server.base, 'SELECT COUNT(*) FROM S3Object', '', {});
    assert.equal(anon.status, 401);
    assert.match(JSON.parse(anon.text).error, /missing bearer token/);

    const counts = await query(server.base,
      'SELECT s.event, COUNT(*) AS n FROM S3Object s GROUP BY s.event ORDER BY s.event');
    assert.equal(counts.status, 200);
    assert.equal(counts.type, 'application/x-ndjson');
    assert.deepEqual(counts.text.trim().split('\n').map((l) => JSON.parse(l)),
      [{ event: 'click', n: 6 }, { event: 'delivered', n: 60 }, { event: 'open', n: 20 }]);

    const csv = await query(server.base,
      "SELECT s.url FROM S3Object s WHERE s.event = 'click' ORDER BY s.url", '?output=csv');
    assert.equal(csv.status, 200);
    assert.equal(csv.type, 'text/csv; charset=utf-8');
    assert.equal(csv.text, ['0', '0', '0', '10', '10', '10'].map((n) => `https://example.com/${n}\n`).join(''));

    // Every record, streamed (no ORDER BY: records leave as they are read).
    const all = await query(server.base, 'SELECT s.sg_event_id FROM S3Object s');
    assert.equal(all.status, 200);
    const ids = all.text.trim().split('\n').map((l) => JSON.parse(l).sg_event_id);
    assert.equal(ids.length, 86);
    assert.deepEqual(new Set(ids), new Set(events.map((e) => e.sg_event_id)));

    // Refused before any output: syntax error with line and column, bad parameters.
    const bad = await query(server.base, 'SELECT s.event\nFORM S3Object s');
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.text).error, "line 2, column 1: expected FROM, found 'FORM'");
    const badOut = await query(server.base, 'SELECT 1 FROM S3Object', '?output=xml');
    assert.equal(badOut.status, 400);
    assert.match(JSON.parse(badOut.text).error, /output must be json or csv/);
    const badSince = await query(server.base, 'SELECT 1 FROM S3Object', '?since=yesterday');
    assert.equal(badSince.status, 400);
    assert.match(JSON.parse(badSince.text).error, /^since: /);

    // A limit reached while running (ORDER BY holds more than --query-max-rows):
    // the body ends with one {"error"} line.
    const big = await query(server.base, 'SELECT s.sg_event_id FROM S3Object s ORDER BY s.sg_event_id');
    assert.equal(big.status, 200);
    const lines = big.text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.match(lines[0].error, /50/);
  } finally {
    await server.stop();
  }
});
