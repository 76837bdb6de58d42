// kill -9 the server at random moments during ingest and delivery, many
// times; then resend everything (as SendGrid retries) and let delivery
// finish. DuckDB — not mailpulse — reads the lake: every event sent is in it
// exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { makeKeyPair, sendgridBody, signedHeaders, startServer, event, messageId, tempDir } from './lib.mjs';
import { metric, waitFor } from './lake-lib.mjs';

const KILLS = Number(process.env.LAKE_CRASH_KILLS || 10);

test(`kill -9 during ingest and delivery ${KILLS} times: DuckDB counts every event once`, { timeout: 240000 }, async () => {
  const keys = makeKeyPair();
  const dataDir = tempDir('mailpulse-lake-crash-');
  // Interval 0: delivery writes after every read, so kills land mid-flush often.
  const args = ['--sendgrid-public-key', keys.publicB64, '--flush-interval', '0', '--segment-size', '1MiB'];
  let server = await startServer(args, { dataDir });
  const bodies = [];  // every body ever sent, for the final full resend
  const distinct = new Set();
  let stop = false;

  async function send(body) {
    for (;;) {
      try {
        const res = await fetch(`${server.base}/v1/webhooks/sendgrid`, { method: 'POST', body,
          headers: signedHeaders(keys.privateKey, body) });
        await res.text();
        if (res.status === 200) return;
      } catch { /* killed mid-request */ }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  async function client() {
    while (!stop) {
      const msgs = Array.from({ length: 8 }, messageId);
      const events = Array.from({ length: 40 }, (_, i) => event(['open', 'click', 'delivered'][i % 3], msgs[i % 8],
        { marketing_campaign_id: 100 + (i % 4) }));
      if (Math.random() < 0.2) events.push({ ...events[0] });  // SendGrid-style duplicate
      for (const e of events) distinct.add(e.sg_event_id);
      const body = sendgridBody(events);
      bodies.push(body);
      await send(body);
    }
  }

  const clients = Array.from({ length: 6 }, client);
  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
    await server.kill9();
    server = await startServer(args, { dataDir });
  }
  stop = true;
  await Promise.all(clients);
  // SendGrid's retries: everything again, including what was acknowledged.
  for (let i = 0; i < bodies.length; i += 8) await Promise.all(bodies.slice(i, i + 8).map(send));
  await waitFor('delivery to catch up', async () =>
    (await metric(server.base, 'mailpulse_delivery_lag_records', 'source="events"')) === 0, 60000, 300);
  await server.stop();

  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const glob = path.join(dataDir, 'lake', 'events', '**', '*.json.gz');
  const reader = await db.runAndReadAll(
    `SELECT count(*)::BIGINT AS n, count(DISTINCT sg_event_id)::BIGINT AS d FROM read_json_auto('${glob}', format = 'newline_delimited')`);
  const [{ n, d }] = reader.getRowObjectsJS();
  console.log(`lake crash test: ${KILLS} kills, ${bodies.length} bodies, ${distinct.size} distinct events, lake rows ${n}, distinct ${d}`);
  assert.equal(Number(d), distinct.size, 'every distinct event sent is in the lake');
  assert.equal(Number(n), distinct.size, 'and only once');
});
