// The Kinesis stream backend against a real Kinesis-protocol server:
// kinesalite (npm) on a loopback port, streams created and read back with the
// AWS SDK for JavaScript (@aws-sdk/client-kinesis). `mailpulse serve --roles
// ingest --stream kinesis://...` takes signed SendGrid batches; every
// acknowledged event must be in the stream exactly once with the message id
// as partition key — also across a shard split while posting, and through a
// Kinesis outage (503 with a JSON reason, never 200; recovery after restart).
// Finally mailpulse's own reader (`mailpulse stream read --stream
// kinesis://...`) reads everything back, parents before children.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { BIN, startServer, sendgridBody, event, messageId, tempDir, post, makeKeyPair, signedHeaders } from './lib.mjs';
import { startKinesalite, sdkClient, createStream, listShards, splitShard, readAllWithSdk } from './kinesis-lib.mjs';

const messageIdOf = (e) => e.sg_message_id.split('.')[0];

// n signed batches of `size` events each; resolves to the events of batches answered 200.
async function postBatches(server, privateKey, n, size, { onResult } = {}) {
  const acked = [];
  for (let b = 0; b < n; b++) {
    const events = [];
    for (let i = 0; i < size; i++) {
      const msg = messageId();
      events.push(event(i % 3 === 0 ? 'open' : 'delivered', msg, { singlesend_id: 'ss-kinesis' }));
    }
    const body = sendgridBody(events);
    const res = await post(`${server.base}/v1/webhooks/sendgrid`, body, signedHeaders(privateKey, body));
    if (onResult) onResult(res);
    if (res.status === 200) {
      assert.deepEqual(res.json, { accepted: size, duplicates: 0, rejected: 0 });
      acked.push(...events);
    }
  }
  return acked;
}

// Every acknowledged event exactly once, keyed by its message id.
function assertExactlyOnce(records, acked) {
  const byId = new Map();
  for (const r of records) {
    const payload = JSON.parse(r.data);
    const id = payload.sg_event_id;
    assert.ok(id, `record without sg_event_id: ${r.data.slice(0, 200)}`);
    assert.ok(!byId.has(id), `duplicate record for sg_event_id ${id}`);
    byId.set(id, { ...r, payload });
  }
  for (const e of acked) {
    const r = byId.get(e.sg_event_id);
    assert.ok(r, `acknowledged event ${e.sg_event_id} missing from the stream`);
    assert.equal(r.partitionKey, messageIdOf(e), 'partition key = message id');
    assert.equal(r.payload.sg_message_id, e.sg_message_id);
  }
  return byId;
}

function streamUrl(k, name, extra = '') {
  return `kinesis://${name}?region=us-east-1&endpoint=${encodeURIComponent(k.endpoint)}${extra}`;
}

// Shards ordered so that every parent comes before its children.
function lineageOrder(shards) {
  const done = new Set();
  const out = [];
  while (out.length < shards.length) {
    const before = out.length;
    for (const s of shards) {
      if (done.has(s.ShardId)) continue;
      const parents = [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean)
        .filter((p) => shards.some((x) => x.ShardId === p));
      if (parents.every((p) => done.has(p))) { done.add(s.ShardId); out.push(s); }
    }
    assert.ok(out.length > before, 'shard lineage has a cycle');
  }
  return out;
}

test('ingest onto Kinesis: exactly once, across a split and an outage; read back by mailpulse', { timeout: 180000 }, async () => {
  const dir = tempDir('mailpulse-kinesis-');
  const kinesalite = await startKinesalite({ dbPath: path.join(dir, 'kinesalite') });
  const sdk = sdkClient(kinesalite.endpoint);
  let k = kinesalite;
  let server;
  try {
    await createStream(sdk, 'events', 2);
    await createStream(sdk, 'events-errors', 1);
    const { privateKey, publicB64 } = makeKeyPair();
    const url = streamUrl(k, 'events', '&retry_deadline_ms=1500');
    server = await startServer(['--roles', 'ingest', '--sendgrid-public-key', publicB64, '--stream', url],
      { dataDir: path.join(dir, 'data') });

    // 1. Plain ingest: 20 batches of 25 events.
    const acked = await postBatches(server, privateKey, 20, 25);
    assert.equal(acked.length, 500, 'every batch acknowledged');
    let records = await readAllWithSdk(sdk, 'events');
    assertExactlyOnce(records, acked);
    assert.equal(records.length, 500);

    const perShard = new Set(records.map((r) => r.shardId));
    assert.equal(perShard.size, 2, 'both shards received records');

    // A rejected event goes to the errors stream (events-errors), keyed by webhook name.
    const good = event('delivered', messageId());
    const bad = { ...event('open', messageId()) };
    delete bad.event;
    const mixed = sendgridBody([good, bad]);
    const res = await post(`${server.base}/v1/webhooks/sendgrid`, mixed, signedHeaders(privateKey, mixed));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { accepted: 1, duplicates: 0, rejected: 1 });
    acked.push(good);
    const errors = await readAllWithSdk(sdk, 'events-errors');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].partitionKey, 'default');
    const rejected = JSON.parse(errors[0].data);
    assert.equal(rejected.raw.sg_event_id, bad.sg_event_id);
    assert.equal(typeof rejected._mailpulse.error, 'string');

    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    const requests = Number(metrics.match(/mailpulse_kinesis_put_records_requests_total\{stream="events"\} (\d+)/)[1]);
    const sent = Number(metrics.match(/mailpulse_kinesis_records_acked_total\{stream="events"\} (\d+)/)[1]);
    assert.equal(sent, 501);
    assert.ok(requests >= 1 && requests <= 501, `${requests} PutRecords requests`);

    // 2. Split shard 0 while posting.
    const before = await listShards(sdk, 'events');
    const posting = postBatches(server, privateKey, 30, 20);
    await new Promise((r) => setTimeout(r, 100));
    await splitShard(sdk, 'events', before[0]);
    const ackedDuringSplit = await posting;
    const ackedAfterSplit = await postBatches(server, privateKey, 10, 20);
    assert.equal(ackedDuringSplit.length + ackedAfterSplit.length, 800);
    const allAcked = [...acked, ...ackedDuringSplit, ...ackedAfterSplit];
    records = await readAllWithSdk(sdk, 'events');
    assertExactlyOnce(records, allAcked);
    const shards = await listShards(sdk, 'events');
    assert.equal(shards.length, 4);
    assert.ok(shards[0].SequenceNumberRange.EndingSequenceNumber, 'the split parent is closed');
    const children = shards.filter((s) => s.ParentShardId === 'shardId-000000000000');
    assert.equal(children.length, 2);
    const childRecords = records.filter((r) => children.some((c) => c.ShardId === r.shardId));
    assert.ok(childRecords.length > 0, 'records reached the children after the split');

    // 3. Outage: kinesalite stopped -> 503 with a JSON reason, never 200.
    await k.stop();
    let outage = 0;
    const lost = await postBatches(server, privateKey, 3, 10, {
      onResult: (res) => {
        assert.equal(res.status, 503, `during the outage: ${res.status} ${res.text}`);
        assert.equal(typeof res.json?.error, 'string');
        assert.match(res.json.error, /kinesis/i);
        outage++;
      },
    });
    assert.equal(lost.length, 0);
    assert.equal(outage, 3);
    // Restart on the same port and data: posts succeed again.
    k = await startKinesalite({ port: kinesalite.port, dbPath: path.join(dir, 'kinesalite') });
    const ackedAfterOutage = await postBatches(server, privateKey, 5, 20);
    assert.equal(ackedAfterOutage.length, 100);
    allAcked.push(...ackedAfterOutage);
    records = await readAllWithSdk(sdkClient(k.endpoint), 'events');
    assertExactlyOnce(records, allAcked);

    // 4. mailpulse's own reader, parents before children, every record once.
    const ordered = lineageOrder(await listShards(sdkClient(k.endpoint), 'events'));
    assert.equal(ordered[0].ShardId, 'shardId-000000000000');
    const viaMailpulse = [];
    for (const s of ordered) {
      const index = Number(s.ShardId.split('-')[1]);
      const text = execFileSync(BIN, ['stream', 'read', '--stream', url, '--data-dir', path.join(dir, 'cli'),
        '--shard', String(index), '--from', 'trim_horizon', '--limit', '100000', '--log-level', 'warn'],
      { maxBuffer: 1 << 28, env: process.env }).toString();
      let prev = -1n;
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        const r = JSON.parse(line);
        const seq = BigInt(r.seq);
        assert.ok(seq > prev, 'sequence numbers increase within a shard');
        prev = seq;
        viaMailpulse.push({ shardId: s.ShardId, seq: String(r.seq), partitionKey: r.partition_key,
          data: JSON.stringify(r.payload) });
      }
    }
    assertExactlyOnce(viaMailpulse, allAcked);
    assert.equal(viaMailpulse.length, records.length);
    const sdkSeqs = new Set(records.map((r) => r.seq));
    for (const r of viaMailpulse) assert.ok(sdkSeqs.has(r.seq), `mailpulse read seq ${r.seq} the SDK did not`);
  } finally {
    if (server) await server.stop();
    await k.stop().catch(() => {});
  }
});

test('a missing Kinesis stream fails start-up naming it', { timeout: 60000 }, async () => {
  const k = await startKinesalite();
  try {
    const dataDir = tempDir();
    let err;
    try {
      execFileSync(BIN, ['serve', '--roles', 'ingest', '--allow-unsigned', '--listen', '127.0.0.1:0',
        '--data-dir', dataDir, '--stream', streamUrl(k, 'nope')], { encoding: 'utf8', timeout: 30000, stdio: 'pipe' });
    } catch (e) { err = e; }
    assert.ok(err, 'serve must not start');
    assert.match(err.stderr, /kinesis stream 'nope'/);
  } finally {
    await k.stop();
  }
});

test('a malformed kinesis URL is refused with a reason', () => {
  let err;
  try {
    execFileSync(BIN, ['serve', '--allow-unsigned', '--listen', '127.0.0.1:0', '--data-dir', tempDir(),
      '--stream', 'kinesis://events?region=us-east-1&shards=2'], { encoding: 'utf8', timeout: 20000, stdio: 'pipe' });
  } catch (e) { err = e; }
  assert.ok(err);
  assert.match(err.stderr, /unknown parameter 'shards'/);
});
