// serve over the Kafka backend (`--stream kafka://...`) on librdkafka's mock
// cluster in another process, with a broker taken down and brought back
// while signed webhook batches arrive; batches answered 503 are sent again
// afterwards, as SendGrid does. DuckDB — not mailpulse — reads the lake:
// every event is in it exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { makeKeyPair, sendgridBody, signedHeaders, startServer, event, messageId } from './lib.mjs';
import { metric, waitFor } from './lake-lib.mjs';
import { startKafkaMock } from './kafka-lib.mjs';

test('kafka stream: broker down and up under load, 503s resent, every event in the lake once', { timeout: 180000 }, async () => {
  const kafka = await startKafkaMock({ brokers: 3, topic: 'events', partitions: 4 });
  const keys = makeKeyPair();
  // A short delivery timeout: appends to the partitions the downed broker
  // leads fail (503) within the outage instead of waiting for it to end.
  const server = await startServer(['--sendgrid-public-key', keys.publicB64, '--flush-interval', '1',
    '--stream', `kafka://${kafka.bootstraps}/events?delivery_timeout_ms=3000&request_timeout_ms=2000`]);
  const acknowledged = new Set();
  const sent = new Set();
  let status503 = 0;
  const toRetry = [];  // 503 answers: SendGrid sends the same body again later
  let stop = false;
  async function client() {
    while (!stop) {
      const msgs = Array.from({ length: 5 }, messageId);
      const events = Array.from({ length: 40 }, (_, i) => event(['delivered', 'open', 'click'][i % 3], msgs[i % 5],
        { marketing_campaign_id: 500 + (i % 2) }));
      const body = sendgridBody(events);
      for (const e of events) sent.add(e.sg_event_id);
      const res = await fetch(`${server.base}/v1/webhooks/sendgrid`, { method: 'POST', body,
        headers: signedHeaders(keys.privateKey, body) });
      await res.text();
      if (res.status === 200) {
        for (const e of events) acknowledged.add(e.sg_event_id);
      } else {
        assert.equal(res.status, 503, 'a broker outage answers 503 (SendGrid retries), nothing else');
        status503 += 1;
        toRetry.push({ body, events });
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  try {
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 2000));
    await kafka.control('down 2');
    await new Promise((r) => setTimeout(r, 5000));  // longer than delivery_timeout_ms
    await kafka.control('up 2');
    await new Promise((r) => setTimeout(r, 3000));
    stop = true;
    await Promise.all(clients);
    // SendGrid's retries of the 503 batches, once the broker is back: part of
    // such a batch may already be in the topic (another partition's append
    // succeeded); ingest's dedupe must keep it from landing twice.
    for (const { body, events } of toRetry) {
      for (;;) {
        const res = await fetch(`${server.base}/v1/webhooks/sendgrid`, { method: 'POST', body,
          headers: signedHeaders(keys.privateKey, body) });
        await res.text();
        if (res.status === 200) { for (const e of events) acknowledged.add(e.sg_event_id); break; }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await waitFor('delivery lag to drain', async () =>
      (await metric(server.base, 'mailpulse_delivery_lag_records', 'source="events"')) === 0, 60000, 500);
  } finally {
    stop = true;
    await server.stop();
    await kafka.stop();
  }

  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const glob = path.join(server.dataDir, 'lake', 'events', '**', '*.json.gz');
  const reader = await db.runAndReadAll(
    `SELECT sg_event_id, count(*)::BIGINT AS n FROM read_json_auto('${glob}', format = 'newline_delimited') GROUP BY sg_event_id`);
  const rows = reader.getRowObjectsJS();
  const inLake = new Set(rows.map((r) => r.sg_event_id));
  const twice = rows.filter((r) => Number(r.n) !== 1);
  const missing = [...acknowledged].filter((id) => !inLake.has(id));
  const unknown = [...inLake].filter((id) => !sent.has(id));
  console.log(`kafka test: ${sent.size} events sent, ${status503} batches answered 503 and resent, ` +
    `${acknowledged.size} acknowledged in the end, ${inLake.size} in the lake, ${twice.length} twice`);
  assert.equal(acknowledged.size, sent.size, 'every batch acknowledged in the end');
  assert.equal(missing.length, 0, 'every acknowledged event is in the lake');
  assert.equal(twice.length, 0, 'no event twice in the lake');
  assert.equal(unknown.length, 0);
});
