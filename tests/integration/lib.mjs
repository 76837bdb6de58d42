// Shared helpers for the loopback integration tests: start the real
// mailpulse binary, sign like SendGrid, post, read the stream back.
import { spawn, execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export const BIN = process.env.MAILPULSE_BIN || path.resolve('build/mailpulse');

export function tempDir(prefix = 'mailpulse-it-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// A P-256 key pair: public key as SendGrid shows it (base64 DER SPKI).
export function makeKeyPair() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicB64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { privateKey, publicKey, publicB64 };
}

// SendGrid's signature: ECDSA P-256/SHA-256 over timestamp bytes + body bytes, DER, base64.
export function sign(privateKey, timestamp, body) {
  const signer = crypto.createSign('SHA256');
  signer.update(Buffer.concat([Buffer.from(String(timestamp)), Buffer.from(body)]));
  return signer.sign(privateKey).toString('base64');
}

// SendGrid's body framing: compact JSON, "},\r\n{" between events, trailing "\r\n".
export function sendgridBody(events) {
  return JSON.stringify(events).split('},{').join('},\r\n{') + '\r\n';
}

export function signedHeaders(privateKey, body, timestamp = Math.floor(Date.now() / 1000)) {
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'SendGrid Event API',
    'X-Twilio-Email-Event-Webhook-Signature': sign(privateKey, timestamp, body),
    'X-Twilio-Email-Event-Webhook-Timestamp': String(timestamp),
  };
}

export async function post(url, body, headers) {
  const res = await fetch(url, { method: 'POST', body, headers });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

// Starts `mailpulse serve` on a free port; resolves once it listens.
export async function startServer(args, { dataDir } = {}) {
  dataDir = dataDir || tempDir();
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let timer;
  const port = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      log += chunk.toString();
      const m = log.match(/listening on http:\/\/[^:]+:(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('close', (code) => clearTimeout(timer) || reject(new Error(`mailpulse exited with ${code} before listening:\n${log}`)));
    timer = setTimeout(() => reject(new Error(`mailpulse did not start in 20 s:\n${log}`)), 20000);
  });
  const base = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc, port, base, dataDir,
    log: () => log,
    async stop() { proc.kill('SIGTERM'); return exited; },
    async kill9() { proc.kill('SIGKILL'); return exited; },
  };
}

// Every record of the embedded stream, via `mailpulse stream read`.
export function readStream(dataDir, shards = 4) {
  const out = [];
  for (let s = 0; s < shards; s++) {
    const text = execFileSync(BIN, ['stream', 'read', '--data-dir', dataDir, '--shard', String(s),
      '--from', 'trim_horizon', '--limit', '100000000'], { maxBuffer: 1 << 30 }).toString();
    for (const line of text.split('\n')) if (line.trim()) out.push(JSON.parse(line));
  }
  return out;
}

let counter = 0;
// A realistic event for message `msg` (22-char id), unique sg_event_id.
export function event(type, msg, extra = {}) {
  counter += 1;
  return {
    email: `user${counter}@example.com`,
    timestamp: 1700000000 + counter,
    'smtp-id': `<${msg}@ismtpd0001p1mdw1.sendgrid.net>`,
    event: type,
    category: ['it'],
    sg_event_id: crypto.randomBytes(16).toString('base64url'),
    sg_message_id: `${msg}.recvd-7f8c9d-abcde-1-65A0B0C0-1.0`,
    ...extra,
  };
}

export function messageId() {
  return crypto.randomBytes(16).toString('base64url').slice(0, 22);
}

// A deterministic shuffle (seeded LCG).
export function shuffle(a, seed) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// Runs the simulator against a small proxy that accepts every POST with 200
// and keeps the body: the batches, to replay in any order.
export async function collectSimulated(simArgs) {
  const bodies = [];
  const proxy = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"accepted":0,"duplicates":0,"rejected":0}');
    });
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${proxy.address().port}/v1/webhooks/sendgrid`;
  await promisify(execFile)(BIN, ['simulate', '--url', url, '--unsigned', ...simArgs], { maxBuffer: 1 << 26 });
  await new Promise((r) => proxy.close(r));
  return bodies;
}

// The per-campaign counters of the KPI API that the simulator's --truth has.
export const KPI_COUNTERS = ['processed', 'delivered', 'deferred', 'bounces', 'blocks', 'dropped', 'opens',
  'unique_opens', 'machine_opens', 'human_unique_opens', 'clicks', 'unique_clicks', 'unsubscribes',
  'group_unsubscribes', 'group_resubscribes', 'spam_reports'];
