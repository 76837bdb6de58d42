// Helpers for the lake integration tests: s3rver as the S3 server, the AWS
// SDK for JavaScript to read it back, and waiting on delivery metrics.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { S3Client, ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';

export const BUCKET = 'mailpulse-test';

// Starts tests/tools/s3rver-start.mjs on `port` (0 = any); resolves once ready.
export async function startS3rver(dir, port = 0) {
  const proc = spawn(process.execPath, ['--openssl-legacy-provider', path.resolve('tests/tools/s3rver-start.mjs'),
    dir, String(port), BUCKET], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`s3rver did not start: ${out}`)), 20000);
    proc.stdout.on('data', (c) => {
      out += c.toString();
      const m = out.match(/ready (\d+)/);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
    proc.stderr.on('data', (c) => { out += c.toString(); });
    proc.on('exit', (code) => { clearTimeout(t); reject(new Error(`s3rver exited ${code}: ${out}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  return {
    port: ready,
    endpoint: `http://127.0.0.1:${ready}`,
    async stop() { proc.kill('SIGTERM'); await exited; },
  };
}

// The mailpulse --lake URL for s3rver, and the credentials it accepts.
export function s3LakeArgs(endpoint, prefix = 'lake') {
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  delete process.env.AWS_SESSION_TOKEN;
  return ['--lake', `s3://${BUCKET}/${prefix}?endpoint=${endpoint}&region=us-east-1&path_style=true`];
}

export function s3Client(endpoint) {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
}

export async function s3ListAll(client, prefix) {
  const keys = [];
  let token;
  do {
    const r = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const c of r.Contents ?? []) keys.push(c.Key);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

// Every line of every object under prefix, parsed, with the key it came from.
export async function s3Lines(client, prefix) {
  const out = [];
  for (const key of await s3ListAll(client, prefix)) {
    const r = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const bytes = Buffer.from(await r.Body.transformToByteArray());
    for (const line of decode(key, bytes).split('\n')) if (line) out.push({ key, row: JSON.parse(line) });
  }
  return out;
}

// Every line of every object in a local lake directory.
export function localLines(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.startsWith('.mp-tmp')) {
        for (const line of decode(p, fs.readFileSync(p)).split('\n')) if (line) out.push({ key: p, row: JSON.parse(line) });
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

function decode(key, bytes) {
  if (key.endsWith('.gz')) return zlib.gunzipSync(bytes).toString();
  if (key.endsWith('.zst')) return zlib.zstdDecompressSync ? zlib.zstdDecompressSync(bytes).toString() : '';
  return bytes.toString();
}

// Sum of a Prometheus metric family over its series (optionally filtered by a label substring).
export async function metric(base, name, labelFilter = '') {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (labelFilter && !line.includes(labelFilter)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function waitFor(what, fn, timeoutMs = 30000, everyMs = 200) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
