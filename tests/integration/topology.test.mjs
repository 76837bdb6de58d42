// The production topology on loopback: two stateless ingest nodes and one
// deliver+analytics consumer over a real Kinesis-protocol server (kinesalite)
// and a real S3-protocol server (s3rver). Simulated SendGrid traffic is posted
// to both ingest nodes; one is killed with SIGKILL under load and what it did
// not acknowledge is retried on the other (as SendGrid does); every batch is
// then sent once more to the other node (a retry that reaches another node),
// so the stream holds duplicates. Proof, read without mailpulse where it
// matters: every acknowledged event is in the lake exactly once (AWS SDK
// reading s3rver), and the KPI API equals the simulator's truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, tempDir, shuffle, collectSimulated, KPI_COUNTERS } from './lib.mjs';
import { startS3rver, s3LakeArgs, s3Client, s3Lines, waitFor } from './lake-lib.mjs';
import { startKinesalite, sdkClient, createStream } from './kinesis-lib.mjs';

const TOKEN = 'topology-token';

async function postTo(base, body) {
  try {
    const res = await fetch(`${base}/v1/webhooks/sendgrid`, {
      method: 'POST', body, headers: { 'Content-Type': 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, text };
  } catch (err) {
    return { status: 0, text: String(err) };  // the node is gone
  }
}

test('two ingest nodes + one consumer over kinesalite and s3rver: exactly once, KPIs exact, an ingest node killed', { timeout: 300000 }, async () => {
  const dir = tempDir('mailpulse-topology-');
  const truthFile = path.join(dir, 'truth.json');
  const bodies = await collectSimulated(['--total-events', '3000', '--campaigns', '3', '--batch-size', '50',
    '--rate', '0', '--seed', '23', '--start-time', String(Math.floor(Date.now() / 1000) - 2 * 3600),
    '--truth', truthFile]);
  const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
  const eventIds = new Set();
  for (const b of bodies) for (const e of JSON.parse(b)) eventIds.add(e.sg_event_id);

  const kinesalite = await startKinesalite();
  const s3 = await startS3rver(path.join(dir, 's3'));
  const lake = s3LakeArgs(s3.endpoint, 'lake');  // sets the credentials both servers accept
  const sdk = sdkClient(kinesalite.endpoint);
  await createStream(sdk, 'events', 2);
  await createStream(sdk, 'events-errors', 1);
  const stream = ['--stream', `kinesis://events?region=us-east-1&endpoint=${encodeURIComponent(kinesalite.endpoint)}`];
  const ingestArgs = ['--roles', 'ingest', '--allow-unsigned', ...stream];
  const nodes = [
    await startServer(ingestArgs, { dataDir: path.join(dir, 'ingest-a') }),
    await startServer(ingestArgs, { dataDir: path.join(dir, 'ingest-b') }),
  ];
  const consumer = await startServer(['--roles', 'deliver,analytics', ...stream, ...lake, '--flush-interval', '0',
    '--api-token', TOKEN], { dataDir: path.join(dir, 'consumer') });
  try {
    // Round-robin over both nodes, 4 requests in flight; node A is killed
    // after a third of the batches. A batch not answered 200 is retried on
    // the other node until it is.
    const order = shuffle(bodies.map((_, i) => i), 5);
    let next = 0;
    let killed = false;
    let retried = 0;
    async function worker(w) {
      while (next < order.length) {
        const i = order[next++];
        if (!killed && next > order.length / 3) {
          killed = true;
          await nodes[0].kill9();
        }
        let target = (i + w) % 2;
        for (let attempt = 0; ; attempt++) {
          const res = await postTo(nodes[target].base, bodies[i]);
          if (res.status === 200) break;
          assert.ok(attempt < 50, `batch ${i} never acknowledged: ${res.status} ${res.text}`);
          retried++;
          target = 1;  // SendGrid retries; the balancer sends it to the live node
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    await Promise.all([0, 1, 2, 3].map(worker));
    assert.ok(killed);
    // Every batch once more through the surviving node: a retry that reaches
    // another node than the first copy. Node B acknowledges them (its own
    // memory only knows what it took itself), so the stream holds duplicates.
    let duplicatesAtIngest = 0;
    for (const b of bodies) {
      const res = await postTo(nodes[1].base, b);
      assert.equal(res.status, 200, res.text);
      duplicatesAtIngest += JSON.parse(res.text).duplicates;
    }
    assert.ok(duplicatesAtIngest < eventIds.size, 'some copies reached the stream twice');

    // The lake: every event exactly once, read with the AWS SDK.
    const client = s3Client(s3.endpoint);
    let rows = [];
    await waitFor('the lake to hold every event', async () => {
      rows = (await s3Lines(client, 'lake/events/')).map((x) => x.row);
      return rows.length >= eventIds.size;
    }, 120000, 500);
    await new Promise((r) => setTimeout(r, 1500));  // a duplicate would land by now
    rows = (await s3Lines(client, 'lake/events/')).map((x) => x.row);
    const seen = new Map();
    for (const r of rows) seen.set(r.sg_event_id, (seen.get(r.sg_event_id) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'no event twice in the lake');
    assert.equal(seen.size, eventIds.size);
    for (const id of eventIds) assert.ok(seen.has(id), `${id} missing from the lake`);

    // The KPIs: exactly the simulator's truth.
    const metrics = await (await fetch(consumer.base + '/metrics')).text();
    const dropped = Number(/^mailpulse_consumer_duplicates_total (\d+)/m.exec(metrics)?.[1]);
    assert.ok(dropped > 0, 'the consumers dropped duplicates');
    const res = await fetch(consumer.base + '/v1/campaigns', { headers: { Authorization: `Bearer ${TOKEN}` } });
    const byId = Object.fromEntries((await res.json()).campaigns.map((c) => [c.id, c]));
    assert.deepEqual(Object.keys(byId).sort(), Object.keys(truth.campaigns).sort());
    for (const [id, want] of Object.entries(truth.campaigns)) {
      for (const k of KPI_COUNTERS) assert.equal(byId[id][k], want[k], `${id} ${k}`);
    }
  } finally {
    for (const n of [...nodes, consumer]) if (n.proc.exitCode === null && n.proc.signalCode === null) await n.stop();
    await kinesalite.stop();
    await s3.stop();
  }
});
