// The webhook over real loopback HTTP against the real binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sgPkg from '@sendgrid/eventwebhook';
import {
  makeKeyPair, sign, sendgridBody, signedHeaders, post, startServer, readStream, event, messageId, tempDir,
} from './lib.mjs';

const { EventWebhook } = sgPkg;
const keys = makeKeyPair();
const other = makeKeyPair();
let server;

before(async () => {
  server = await startServer(['--sendgrid-public-key', keys.publicB64,
    '--webhook-keys', `marketing=${other.publicB64}`, '--max-body', '64KiB']);
});
after(async () => { await server.stop(); });

test('a body signed by Node crypto verifies with @sendgrid/eventwebhook and is accepted durably', async () => {
  const msg = messageId();
  const events = [event('processed', msg), event('delivered', msg), event('open', msg, { sg_machine_open: true })];
  const body = sendgridBody(events);
  const ts = Math.floor(Date.now() / 1000);
  const signature = sign(keys.privateKey, ts, body);
  const ew = new EventWebhook();
  assert.equal(ew.verifySignature(ew.convertPublicKeyToECDSA(keys.publicB64), body, signature, String(ts)), true);

  const res = await post(`${server.base}/v1/webhooks/sendgrid`, body, {
    'Content-Type': 'application/json',
    'X-Twilio-Email-Event-Webhook-Signature': signature,
    'X-Twilio-Email-Event-Webhook-Timestamp': String(ts),
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { accepted: 3, duplicates: 0, rejected: 0 });

  const again = await post(`${server.base}/v1/webhooks/sendgrid`, body, signedHeaders(keys.privateKey, body));
  assert.equal(again.status, 200);
  assert.deepEqual(again.json, { accepted: 0, duplicates: 3, rejected: 0 });

  const records = readStream(server.dataDir).filter((r) => r.partition_key === msg);
  assert.equal(records.length, 3);
  const ids = records.map((r) => r.payload.sg_event_id).sort();
  assert.deepEqual(ids, events.map((e) => e.sg_event_id).sort());
  for (const r of records) {
    const original = events.find((e) => e.sg_event_id === r.payload.sg_event_id);
    for (const [k, v] of Object.entries(original)) assert.deepEqual(r.payload[k], v, k);
    assert.equal(r.payload._mailpulse.message_id, msg);
    assert.equal(r.payload._mailpulse.webhook, 'default');
    assert.equal(r.payload._mailpulse.event_ms, original.timestamp * 1000);
  }
});

test('refusals carry a status and a JSON reason', async () => {
  const url = `${server.base}/v1/webhooks/sendgrid`;
  const body = sendgridBody([event('delivered', messageId())]);

  const unsigned = await post(url, body, { 'Content-Type': 'application/json' });
  assert.equal(unsigned.status, 401);
  assert.match(unsigned.json.error, /Signature/);

  const forged = await post(url, body, { ...signedHeaders(keys.privateKey, body), 'X-Twilio-Email-Event-Webhook-Timestamp': '1' });
  assert.equal(forged.status, 403);
  assert.ok(forged.json.error.length > 0);

  const wrongKey = await post(url, body, signedHeaders(other.privateKey, body));
  assert.equal(wrongKey.status, 403);

  const text = await post(url, body, { ...signedHeaders(keys.privateKey, body), 'Content-Type': 'text/plain' });
  assert.equal(text.status, 415);
  assert.match(text.json.error, /Content-Type/);

  const notArray = '{"event":"open"}';
  const obj = await post(url, notArray, signedHeaders(keys.privateKey, notArray));
  assert.equal(obj.status, 400);
  assert.ok(obj.json.error.length > 0);

  const big = sendgridBody(Array.from({ length: 400 }, () => event('delivered', messageId())));
  assert.ok(big.length > 64 * 1024);
  const tooBig = await post(url, big, signedHeaders(keys.privateKey, big));
  assert.equal(tooBig.status, 413);
  assert.match(tooBig.json.error, /limit/);

  const unknown = await post(`${url}/nosuch`, body, signedHeaders(keys.privateKey, body));
  assert.equal(unknown.status, 404);
  assert.match(unknown.json.error, /nosuch/);

  const get = await fetch(url);
  assert.equal(get.status, 405);
  assert.match((await get.json()).error, /not allowed/);
});

test('named webhooks use their own key', async () => {
  const body = sendgridBody([event('click', messageId(), { url: 'https://example.com/a' })]);
  const ok = await post(`${server.base}/v1/webhooks/sendgrid/marketing`, body, signedHeaders(other.privateKey, body));
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { accepted: 1, duplicates: 0, rejected: 0 });
  const bad = await post(`${server.base}/v1/webhooks/sendgrid/marketing`, body, signedHeaders(keys.privateKey, body));
  assert.equal(bad.status, 403);
});

test('bad events are rejected with a reason, the rest of the batch is kept', async () => {
  const msg = messageId();
  const good = event('delivered', msg);
  const missingEvent = { ...event('open', msg) };
  delete missingEvent.event;
  const body = sendgridBody([good, missingEvent, { event: 'open', timestamp: 'yesterday' }]);
  const res = await post(`${server.base}/v1/webhooks/sendgrid`, body, signedHeaders(keys.privateKey, body));
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { accepted: 1, duplicates: 0, rejected: 2 });
});

test('health, readiness and Prometheus metrics', async () => {
  assert.equal((await fetch(`${server.base}/healthz`)).status, 200);
  assert.equal((await fetch(`${server.base}/readyz`)).status, 200);
  const metrics = await (await fetch(`${server.base}/metrics`)).text();
  assert.match(metrics, /mailpulse_http_requests_total\{route="\/v1\/webhooks\/sendgrid",status="200"\} \d+/);
  assert.match(metrics, /mailpulse_events_total\{outcome="accepted",type="delivered"\} [1-9]/);
  assert.match(metrics, /mailpulse_events_total\{outcome="duplicate",type="open"\} [1-9]/);
  assert.match(metrics, /mailpulse_stream_fsync_seconds_bucket/);
  assert.match(metrics, /mailpulse_dedupe_memory_bytes [1-9]/);
});

test('dedupe survives a restart', async () => {
  const dataDir = tempDir();
  const k = makeKeyPair();
  const body = sendgridBody([event('delivered', messageId()), event('open', messageId())]);
  let s = await startServer(['--sendgrid-public-key', k.publicB64], { dataDir });
  let res = await post(`${s.base}/v1/webhooks/sendgrid`, body, signedHeaders(k.privateKey, body));
  assert.deepEqual(res.json, { accepted: 2, duplicates: 0, rejected: 0 });
  await s.kill9();
  s = await startServer(['--sendgrid-public-key', k.publicB64], { dataDir });
  res = await post(`${s.base}/v1/webhooks/sendgrid`, body, signedHeaders(k.privateKey, body));
  assert.deepEqual(res.json, { accepted: 0, duplicates: 2, rejected: 0 });
  await s.stop();
  assert.equal(readStream(dataDir).length, 2);
});

test('serve refuses to start without a key unless --allow-unsigned', async () => {
  await assert.rejects(startServer([]), /no webhook key configured/);
  const s = await startServer(['--allow-unsigned']);
  assert.match(s.log(), /allow-unsigned/);
  const body = sendgridBody([event('delivered', messageId())]);
  const res = await post(`${s.base}/v1/webhooks/sendgrid`, body, { 'Content-Type': 'application/json' });
  assert.equal(res.status, 200);
  await s.stop();
});

test('two servers cannot share a data dir', async () => {
  const dataDir = tempDir();
  const s = await startServer(['--allow-unsigned'], { dataDir });
  await assert.rejects(startServer(['--allow-unsigned'], { dataDir }), /in use by another mailpulse process \(pid \d+\)/);
  await s.stop();
});
