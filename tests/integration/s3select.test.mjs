// S3 Select on the wire: the AWS SDK for JavaScript's SelectObjectContentCommand
// against mailpulse's POST /{bucket}/{key}?select&select-type=2, on an object
// that mailpulse's own delivery wrote to its lake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { S3Client, SelectObjectContentCommand } from '@aws-sdk/client-s3';
import { startServer, sendgridBody, event, messageId, post } from './lib.mjs';
import { waitFor } from './lake-lib.mjs';

function client(base, secretAccessKey = 'unused') {
  return new S3Client({
    endpoint: base, region: 'us-east-1', forcePathStyle: true,
    credentials: { accessKeyId: 'mailpulse', secretAccessKey },
  });
}

// Every event of the response, in order: Records payloads joined, Stats, End.
async function select(s3, key, sql, input, output = { JSON: {} }) {
  const res = await s3.send(new SelectObjectContentCommand({
    Bucket: 'lake', Key: key, Expression: sql, ExpressionType: 'SQL',
    InputSerialization: input, OutputSerialization: output,
  }));
  let records = '';
  let stats = null;
  let ended = false;
  for await (const ev of res.Payload) {
    if (ev.Records) records += Buffer.from(ev.Records.Payload).toString();
    if (ev.Stats) stats = ev.Stats.Details;
    if (ev.End) ended = true;
  }
  return { records, stats, ended };
}

function lakeObjects(dir) {
  const out = [];
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${rel}${e.name}/`);
      else if (!e.name.startsWith('.mp-tmp')) out.push(`${rel}${e.name}`);
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return out;
}

test('SelectObjectContent from the AWS SDK over a delivered lake object', { timeout: 60000 }, async () => {
  const server = await startServer(['--allow-unsigned', '--flush-interval', '0']);
  try {
    const events = [];
    for (let i = 0; i < 30; i++) {
      events.push(event('click', messageId(), { marketing_campaign_id: 4242, url: `https://example.com/${i % 3}` }));
    }
    const res = await post(`${server.base}/v1/webhooks/sendgrid`, sendgridBody(events), { 'Content-Type': 'application/json' });
    assert.equal(res.status, 200);
    const lake = path.join(server.dataDir, 'lake');
    const keys = await waitFor('the click objects', async () => {
      const ks = lakeObjects(lake).filter((k) => k.startsWith('events/event_type=click/campaign=4242/'));
      const lines = ks.reduce((n, k) => n + zlib.gunzipSync(fs.readFileSync(path.join(lake, k))).toString().trim().split('\n').length, 0);
      return lines === 30 ? ks : null;
    });
    // The 30 clicks may land in several objects (one per shard and flush);
    // query one that holds a line the WHERE below matches, so the filtered
    // answer is never empty by chance.
    const key = keys.find((k) => zlib.gunzipSync(fs.readFileSync(path.join(lake, k))).toString()
      .includes('"url":"https://example.com/1"'));
    assert.ok(key, 'no object holds a url /1 click');
    const raw = fs.readFileSync(path.join(lake, key));
    const lines = zlib.gunzipSync(raw).toString().trim().split('\n').map((l) => JSON.parse(l));
    const s3 = client(server.base);
    const gzLines = { JSON: { Type: 'LINES' }, CompressionType: 'GZIP' };

    const count = await select(s3, key, 'SELECT COUNT(*) AS n FROM S3Object s', gzLines);
    assert.equal(count.records, `{"n":${lines.length}}\n`);
    assert.equal(count.ended, true);
    assert.equal(Number(count.stats.BytesScanned), raw.length);
    assert.equal(Number(count.stats.BytesProcessed), zlib.gunzipSync(raw).length);
    assert.equal(Number(count.stats.BytesReturned), count.records.length);

    const want = lines.filter((l) => l.url === 'https://example.com/1').map((l) => `${l.sg_event_id},${l.email}\n`).join('');
    const csv = await select(s3, key,
      "SELECT s.sg_event_id, s.email FROM S3Object s WHERE s.url = 'https://example.com/1'", gzLines, { CSV: {} });
    assert.equal(csv.records, want);
    assert.ok(want.length > 0);

    // Refusals before the stream are S3 errors the SDK understands.
    await assert.rejects(select(s3, key, 'SELECT s.url FORM S3Object s', gzLines),
      (e) => e.name === 'ParseUnexpectedToken' && e.$metadata.httpStatusCode === 400 && /line 1, column 14/.test(e.message));
    await assert.rejects(select(s3, 'events/nope.json.gz', 'SELECT * FROM S3Object', gzLines),
      (e) => e.name === 'NoSuchKey' && e.$metadata.httpStatusCode === 404);
    await assert.rejects(select(s3, key, 'SELECT * FROM S3Object', { JSON: { Type: 'LINES' }, CompressionType: 'BZIP2' }),
      (e) => e.name === 'InvalidCompressionFormat' && e.$metadata.httpStatusCode === 400);

    // A POST elsewhere without ?select is still an ordinary JSON 404.
    const other = await post(`${server.base}/lake/${key}`, '{}', { 'Content-Type': 'application/json' });
    assert.equal(other.status, 404);
    assert.match(other.json.error, /no route/);
  } finally {
    await server.stop();
  }
});

test('with an api_token, S3 Select needs a SigV4 signature made with it', { timeout: 30000 }, async () => {
  const server = await startServer(['--allow-unsigned', '--api-token', 't0k', '--flush-interval', '0']);
  try {
    const msg = messageId();  // one message: one shard, one object
    const events = [event('open', msg, { singlesend_id: 'sig' }), event('open', msg, { singlesend_id: 'sig' })];
    const res = await post(`${server.base}/v1/webhooks/sendgrid`, sendgridBody(events), { 'Content-Type': 'application/json' });
    assert.equal(res.status, 200);
    const lake = path.join(server.dataDir, 'lake');
    const key = await waitFor('the open object', async () =>
      lakeObjects(lake).find((k) => k.startsWith('events/event_type=open/campaign=sig/')));
    const input = { JSON: { Type: 'LINES' }, CompressionType: 'GZIP' };
    // Signed by the SDK with the api_token as secret key: answered.
    const ok = await select(client(server.base, 't0k'), key, 'SELECT COUNT(*) AS n FROM S3Object', input);
    assert.equal(ok.records, '{"n":2}\n');
    assert.equal(ok.ended, true);
    // Another secret: S3's SignatureDoesNotMatch.
    await assert.rejects(select(client(server.base, 'wrong'), key, 'SELECT COUNT(*) FROM S3Object', input),
      (e) => e.name === 'SignatureDoesNotMatch' && e.$metadata.httpStatusCode === 403);
    // Not signed at all.
    const anon = await fetch(`${server.base}/lake/${key}?select&select-type=2`, { method: 'POST', body: '<x/>' });
    assert.equal(anon.status, 403);
    assert.match(await anon.text(), /<Code>AccessDenied<\/Code>/);
  } finally {
    await server.stop();
  }
});
