// The S3 server goes away under load and comes back: ingest keeps
// acknowledging, delivery retries with backoff, the lag drains, and the lake
// holds every acknowledged event exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKeyPair, sendgridBody, signedHeaders, startServer, event, messageId, tempDir } from './lib.mjs';
import { startS3rver, s3LakeArgs, s3Client, s3Lines, metric, waitFor } from './lake-lib.mjs';

test('S3 outage under load: nothing lost, lag drains, no duplicates', { timeout: 120000 }, async () => {
  const s3dir = tempDir('mailpulse-s3-');
  let s3 = await startS3rver(s3dir);
  const port = s3.port;
  const keys = makeKeyPair();
  const server = await startServer(['--sendgrid-public-key', keys.publicB64, '--flush-interval', '1',
    ...s3LakeArgs(s3.endpoint)]);
  const acknowledged = new Set();
  let stop = false;
  async function client() {
    while (!stop) {
      const msgs = Array.from({ length: 5 }, messageId);
      const events = Array.from({ length: 50 }, (_, i) => event(i % 2 ? 'open' : 'delivered', msgs[i % 5]));
      const body = sendgridBody(events);
      const res = await fetch(`${server.base}/v1/webhooks/sendgrid`, { method: 'POST', body,
        headers: signedHeaders(keys.privateKey, body) });
      await res.text();
      assert.equal(res.status, 200, 'ingest keeps acknowledging during the outage');
      for (const e of events) acknowledged.add(e.sg_event_id);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  try {
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 2000));
    await s3.stop();  // the outage
    await waitFor('delivery failures', async () => (await metric(server.base, 'mailpulse_delivery_failures_total')) > 0);
    await new Promise((r) => setTimeout(r, 4000));
    const lagDuring = await metric(server.base, 'mailpulse_delivery_lag_records', 'source="events"');
    assert.ok(lagDuring > 0, 'a backlog builds up while S3 is down');
    s3 = await startS3rver(s3dir, port);  // back on the same port with the same data
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all(clients);
    await waitFor('lag to drain', async () =>
      (await metric(server.base, 'mailpulse_delivery_lag_records', 'source="events"')) === 0, 60000, 500);
    const retries = await metric(server.base, 'mailpulse_delivery_retries_total');
    const rows = await s3Lines(s3Client(s3.endpoint), 'lake/events/');
    const ids = rows.map((r) => r.row.sg_event_id);
    assert.equal(new Set(ids).size, ids.length, 'no event twice');
    assert.equal(ids.length, acknowledged.size, 'every acknowledged event delivered');
    console.log(`outage test: ${acknowledged.size} events, lag during outage ${lagDuring} records, ${retries} retries`);
  } finally {
    stop = true;
    await server.stop();
    await s3.stop();
  }
});
