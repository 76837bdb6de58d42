// `mailpulse lambda` against a loopback Lambda Runtime API (the 2018-06-01
// endpoints a custom runtime uses), fed API Gateway proxy events that carry
// real signed SendGrid bodies; the accepted events are read back from the
// stream with `mailpulse stream read`. Last, the seed's AWS shape end to end:
// runtime API -> `mailpulse lambda` -> Kinesis (kinesalite), read back with
// the AWS SDK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import {
  BIN, makeKeyPair, sign, sendgridBody, readStream, event, messageId, tempDir,
} from './lib.mjs';
import { startKinesalite, sdkClient, createStream, readAllWithSdk } from './kinesis-lib.mjs';

const PREFIX = '/2018-06-01';

// A Runtime API: `next` hands out queued events (waiting while there are
// none, as Lambda does); responses, errors and init errors are captured.
class FakeRuntimeApi {
  constructor() {
    this.queue = [];
    this.waiting = [];
    this.pending = new Map();  // request id -> resolve
    this.initErrors = [];
    this.initErrorWaiters = [];
    this.seq = 0;
    this.server = http.createServer((req, res) => this.route(req, res));
  }

  async listen() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${this.server.address().port}`;
  }

  close() {
    for (const res of this.waiting) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
  }

  route(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const url = req.url;
      if (req.method === 'GET' && url === `${PREFIX}/runtime/invocation/next`) {
        this.waiting.push(res);
        this.dispatch();
        return;
      }
      let m;
      if (req.method === 'POST' && (m = url.match(/^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/))) {
        const resolve = this.pending.get(m[1]);
        res.writeHead(resolve ? 202 : 400).end(resolve ? '{"status":"OK"}' : '{"errorMessage":"unknown id"}');
        if (resolve) {
          this.pending.delete(m[1]);
          resolve({ kind: m[2], body: JSON.parse(body), errorTypeHeader: req.headers['lambda-runtime-function-error-type'] });
        }
        return;
      }
      if (req.method === 'POST' && url === `${PREFIX}/runtime/init/error`) {
        res.writeHead(202).end('{"status":"OK"}');
        const entry = { body: JSON.parse(body), errorTypeHeader: req.headers['lambda-runtime-function-error-type'] };
        this.initErrors.push(entry);
        for (const w of this.initErrorWaiters.splice(0)) w(entry);
        return;
      }
      res.writeHead(404).end();
    });
  }

  dispatch() {
    while (this.waiting.length && this.queue.length) {
      const res = this.waiting.shift();
      const { id, event, deadlineMs } = this.queue.shift();
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Lambda-Runtime-Aws-Request-Id': id,
        'Lambda-Runtime-Deadline-Ms': String(deadlineMs),
        'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:mailpulse',
        'Lambda-Runtime-Trace-Id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
      });
      res.end(JSON.stringify(event));
    }
  }

  // Resolves with what the runtime posted for this event.
  invoke(event, { deadlineMs = Date.now() + 30000 } = {}) {
    const id = `req-${++this.seq}`;
    const done = new Promise((resolve) => this.pending.set(id, resolve));
    this.queue.push({ id, event, deadlineMs });
    this.dispatch();
    return done;
  }

  nextInitError() {
    if (this.initErrors.length) return Promise.resolve(this.initErrors[0]);
    return new Promise((resolve) => this.initErrorWaiters.push(resolve));
  }
}

function startLambda(api, env, cwd = undefined) {
  const proc = spawn(BIN, ['lambda'], {
    cwd,
    env: { ...process.env, AWS_LAMBDA_RUNTIME_API: api, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', (c) => { log += c; });
  proc.stderr.on('data', (c) => { log += c; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return { proc, exited, log: () => log };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); }),
  ]);
}

// API Gateway HTTP API payload 2.0, body base64-encoded as HTTP APIs do for
// many content types.
function v2Event(body, headers, { base64 = true, path = '/v1/webhooks/sendgrid' } = {}) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    version: '2.0', routeKey: 'POST /v1/webhooks/sendgrid', rawPath: path, rawQueryString: '',
    headers: { host: 'abc123.execute-api.us-east-1.amazonaws.com', 'content-length': String(Buffer.byteLength(body)), ...lower },
    requestContext: {
      accountId: '123456789012', apiId: 'abc123', domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'SendGrid Event API' },
      requestId: 'r', routeKey: 'POST /v1/webhooks/sendgrid', stage: '$default', timeEpoch: Date.now(),
    },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

// REST API / payload 1.0: original-case headers plus multiValueHeaders.
function v1Event(body, headers) {
  return {
    version: '1.0', resource: '/v1/webhooks/sendgrid', path: '/v1/webhooks/sendgrid', httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null, multiValueQueryStringParameters: null,
    requestContext: { httpMethod: 'POST', path: '/prod/v1/webhooks/sendgrid', stage: 'prod', requestId: 'r1' },
    pathParameters: null, stageVariables: null, body, isBase64Encoded: false,
  };
}

function sgHeaders(privateKey, body, ts = Math.floor(Date.now() / 1000)) {
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'SendGrid Event API',
    'X-Twilio-Email-Event-Webhook-Signature': sign(privateKey, ts, body),
    'X-Twilio-Email-Event-Webhook-Timestamp': String(ts),
  };
}

const keys = makeKeyPair();
const other = makeKeyPair();
let api;
let lambda;
let dataDir;
const stored = [];     // sg_event_ids answered 200
const notStored = [];  // sg_event_ids answered non-200

before(async () => {
  api = new FakeRuntimeApi();
  const address = await api.listen();
  dataDir = tempDir('mailpulse-lambda-');
  lambda = startLambda(address, {
    MAILPULSE_DATA_DIR: dataDir,
    MAILPULSE_SENDGRID_PUBLIC_KEY: keys.publicB64,
    MAILPULSE_LAMBDA_DEADLINE_MARGIN: '1',
  });
});

after(async () => {
  if (lambda) {
    lambda.proc.kill('SIGTERM');
    await lambda.exited;
  }
  api.close();
});

function parseResponse(posted) {
  assert.equal(posted.kind, 'response', JSON.stringify(posted));
  const r = posted.body;
  assert.equal(typeof r.statusCode, 'number');
  assert.equal(r.isBase64Encoded, false);
  assert.equal(typeof r.body, 'string');
  return { status: r.statusCode, headers: r.headers, json: JSON.parse(r.body) };
}

test('a signed 2.0 event with a base64 body is accepted: 200 with counts', async () => {
  const msg = messageId();
  const events = [event('processed', msg), event('delivered', msg), event('open', msg)];
  const body = sendgridBody(events);
  const posted = await withTimeout(api.invoke(v2Event(body, sgHeaders(keys.privateKey, body))), 30000, 'v2 response');
  const res = parseResponse(posted);
  assert.equal(res.status, 200, JSON.stringify(res));
  assert.deepEqual(res.json, { accepted: 3, duplicates: 0, rejected: 0 });
  assert.match(res.headers['Content-Type'], /application\/json/);
  stored.push(...events.map((e) => e.sg_event_id));

  // SendGrid's retry of the same body: duplicates, still 200.
  const again = parseResponse(await withTimeout(api.invoke(v2Event(body, sgHeaders(keys.privateKey, body))), 30000, 'retry'));
  assert.equal(again.status, 200);
  assert.deepEqual(again.json, { accepted: 0, duplicates: 3, rejected: 0 });
});

test('a 1.0 event with a plain body and original-case headers is accepted', async () => {
  const msg = messageId();
  const events = [event('delivered', msg), event('click', msg, { url: 'https://example.com/a' })];
  const body = sendgridBody(events);
  const res = parseResponse(await withTimeout(api.invoke(v1Event(body, sgHeaders(keys.privateKey, body))), 30000, 'v1'));
  assert.equal(res.status, 200, JSON.stringify(res));
  assert.deepEqual(res.json, { accepted: 2, duplicates: 0, rejected: 0 });
  stored.push(...events.map((e) => e.sg_event_id));
});

test('a bad signature is 403 with a JSON reason', async () => {
  const events = [event('delivered', messageId())];
  const body = sendgridBody(events);
  const headers = sgHeaders(other.privateKey, body);  // signed with the wrong key
  const res = parseResponse(await withTimeout(api.invoke(v2Event(body, headers)), 30000, '403'));
  assert.equal(res.status, 403);
  assert.equal(typeof res.json.error, 'string');
  notStored.push(...events.map((e) => e.sg_event_id));

  // The signature covers the decoded bytes: re-encoding the body breaks it.
  const tampered = sendgridBody(events).replace('\r\n', '\n');
  const res2 = parseResponse(await withTimeout(api.invoke(v2Event(tampered, sgHeaders(keys.privateKey, body))), 30000, '403b'));
  assert.equal(res2.status, 403);
});

test('an unknown path is 404 and an unsigned request 401, both JSON', async () => {
  const body = sendgridBody([event('delivered', messageId())]);
  const r404 = parseResponse(await api.invoke(v2Event(body, sgHeaders(keys.privateKey, body), { path: '/v1/other' })));
  assert.equal(r404.status, 404);
  assert.equal(typeof r404.json.error, 'string');
  const r401 = parseResponse(await api.invoke(v2Event(body, { 'Content-Type': 'application/json' })));
  assert.equal(r401.status, 401);
  assert.equal(typeof r401.json.error, 'string');
});

test('an event that is not from API Gateway is an invocation error', async () => {
  const posted = await withTimeout(api.invoke({ Records: [{ eventSource: 'aws:s3' }] }), 30000, 'error');
  assert.equal(posted.kind, 'error');
  assert.equal(typeof posted.body.errorType, 'string');
  assert.match(posted.body.errorMessage, /not an API Gateway proxy event/);
  assert.equal(posted.errorTypeHeader, posted.body.errorType);
});

test('a deadline already past or too near is 503 with Retry-After, never 200', async () => {
  for (const deadlineMs of [Date.now() - 1000, Date.now() + 200]) {
    const events = [event('delivered', messageId())];
    const body = sendgridBody(events);
    const res = parseResponse(await withTimeout(
      api.invoke(v2Event(body, sgHeaders(keys.privateKey, body)), { deadlineMs }), 30000, '503'));
    assert.equal(res.status, 503, JSON.stringify(res));
    assert.ok(Number(res.headers['Retry-After']) > 0, JSON.stringify(res.headers));
    assert.match(res.json.error, /deadline/);
    notStored.push(...events.map((e) => e.sg_event_id));
  }
});

test('the accepted events, and only those, are in the stream', async () => {
  // One more invocation proves the runtime is still serving, then stop it:
  // every 200 above was answered after the stream's fsync.
  const res = parseResponse(await api.invoke(v2Event('[]', sgHeaders(keys.privateKey, '[]'))));
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { accepted: 0, duplicates: 0, rejected: 0 });
  lambda.proc.kill('SIGTERM');
  await lambda.exited;
  lambda = null;
  const ids = readStream(dataDir).map((r) => r.payload.sg_event_id);
  assert.deepEqual([...ids].sort(), [...stored].sort());
  for (const id of notStored) assert.ok(!ids.includes(id), id);
});

test('start-up failures are posted to /runtime/init/error and exit non-zero', async () => {
  const cases = [
    { name: 'bad public key', env: { MAILPULSE_SENDGRID_PUBLIC_KEY: 'bm90IGEga2V5' }, match: /public key/ },
    { name: 'bad stream URL', env: { MAILPULSE_SENDGRID_PUBLIC_KEY: keys.publicB64, MAILPULSE_STREAM: 'nosuch://x' }, match: /stream/ },
    { name: 'bad config value', env: { MAILPULSE_SENDGRID_PUBLIC_KEY: keys.publicB64, MAILPULSE_SHARDS: 'many' }, match: /MAILPULSE_SHARDS/ },
  ];
  for (const c of cases) {
    const runtime = new FakeRuntimeApi();
    const address = await runtime.listen();
    const proc = startLambda(address, { MAILPULSE_DATA_DIR: tempDir('mailpulse-lambda-init-'), ...c.env });
    try {
      const posted = await withTimeout(runtime.nextInitError(), 30000, `${c.name}: init error\n${proc.log()}`);
      assert.match(posted.body.errorMessage, c.match, c.name);
      assert.equal(typeof posted.body.errorType, 'string');
      const { code } = await withTimeout(proc.exited, 30000, `${c.name}: exit`);
      assert.notEqual(code, 0, c.name);
    } finally {
      proc.proc.kill('SIGKILL');
      runtime.close();
    }
  }
});

test('end to end: runtime API -> mailpulse lambda -> Kinesis (kinesalite), read back with the AWS SDK', { timeout: 120000 }, async () => {
  const kinesalite = await startKinesalite();
  const sdk = sdkClient(kinesalite.endpoint);
  await createStream(sdk, 'webhooks', 2);
  await createStream(sdk, 'webhooks-errors', 1);
  const runtime = new FakeRuntimeApi();
  const address = await runtime.listen();
  // As in AWS: no MAILPULSE_DATA_DIR, and a working directory the function
  // must not write to (Lambda's is read-only); checked empty at the end.
  const cwd = tempDir('mailpulse-lambda-cwd-');
  const proc = startLambda(address, {
    MAILPULSE_SENDGRID_PUBLIC_KEY: keys.publicB64,
    MAILPULSE_STREAM: `kinesis://webhooks?region=us-east-1&endpoint=${encodeURIComponent(kinesalite.endpoint)}`,
  }, cwd);
  try {
    const acked = [];
    for (let i = 0; i < 6; i++) {
      const msg = messageId();
      const events = [event('processed', msg), event('delivered', msg), event('open', msg)];
      const body = sendgridBody(events);
      const ev = i % 2 ? v1Event(body, sgHeaders(keys.privateKey, body)) : v2Event(body, sgHeaders(keys.privateKey, body));
      const res = parseResponse(await withTimeout(runtime.invoke(ev), 30000, `invocation ${i}\n${proc.log()}`));
      assert.equal(res.status, 200, JSON.stringify(res));
      assert.deepEqual(res.json, { accepted: 3, duplicates: 0, rejected: 0 });
      acked.push(...events);
    }
    // Only after Kinesis acknowledged: every event is there once, keyed by message id.
    const records = await readAllWithSdk(sdk, 'webhooks');
    const byId = new Map(records.map((r) => [JSON.parse(r.data).sg_event_id, r]));
    assert.equal(records.length, acked.length);
    for (const e of acked) {
      const r = byId.get(e.sg_event_id);
      assert.ok(r, `${e.sg_event_id} missing from Kinesis`);
      assert.equal(r.partitionKey, e.sg_message_id.split('.')[0]);
    }
    // Kinesis gone: the invocation answers 503 (SendGrid retries), never 200.
    await kinesalite.stop();
    const body = sendgridBody([event('delivered', messageId())]);
    const res = parseResponse(await withTimeout(
      runtime.invoke(v2Event(body, sgHeaders(keys.privateKey, body)), { deadlineMs: Date.now() + 4000 }), 30000, 'outage'));
    assert.equal(res.status, 503, JSON.stringify(res));
    assert.equal(typeof res.json.error, 'string');
    assert.deepEqual(readdirSync(cwd), [], 'the function wrote to its working directory');
  } finally {
    proc.proc.kill('SIGTERM');
    await proc.exited;
    runtime.close();
    await kinesalite.stop().catch(() => {});
  }
});
