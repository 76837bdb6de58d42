// Starts s3rver (a real S3-protocol server from npm) for mailpulse's S3 tests,
// with one thing s3rver lacks: it checks every request's SigV4 signature by
// re-signing it with the AWS SDK for JavaScript's own signer
// (@smithy/signature-v4), and checks x-amz-content-sha256 and
// x-amz-checksum-sha256 against the body. A mismatch is answered like S3 does
// (403 SignatureDoesNotMatch, 400 XAmzContentSHA256Mismatch, 400 BadDigest).
//
//   node --openssl-legacy-provider tests/tools/s3rver-start.mjs DIR [PORT=0] [BUCKET=mailpulse-test]
//
// (s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3
// only offers through its legacy provider: without the flag, paginated listings
// answer 500 InternalError.)
//
// Prints "ready PORT" on stdout once listening on 127.0.0.1; stops on SIGTERM.
// Credentials: access key S3RVER, secret S3RVER (s3rver's built-in account).
import S3rver from 's3rver';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';

const [dir, portArg = '0', bucket = 'mailpulse-test'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: s3rver-start.mjs DIR [PORT] [BUCKET]');
  process.exit(2);
}
const SECRET = 'S3RVER';
let verified = 0;

function s3Error(ctx, status, code, message) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
    `<RequestId>mailpulse-verify-${verified}</RequestId></Error>`;
}

function parseAmzDate(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? '');
  return m && new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

async function verifySigV4(ctx, next) {
  const auth = ctx.get('authorization');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return s3Error(ctx, 403, 'AccessDenied', 'request is not SigV4-signed');
  const signingDate = parseAmzDate(ctx.get('x-amz-date'));
  if (!signingDate) return s3Error(ctx, 403, 'AccessDenied', 'missing or bad x-amz-date');

  const chunks = [];
  for await (const c of ctx.req) chunks.push(c);
  const body = Buffer.concat(chunks);
  const contentSha = ctx.get('x-amz-content-sha256');
  const bodySha = createHash('sha256').update(body).digest();
  if (!contentSha) return s3Error(ctx, 400, 'InvalidRequest', 'missing x-amz-content-sha256');
  if (contentSha !== 'UNSIGNED-PAYLOAD' && contentSha !== bodySha.toString('hex')) {
    return s3Error(ctx, 400, 'XAmzContentSHA256Mismatch', 'x-amz-content-sha256 does not match the body');
  }
  const checksum = ctx.get('x-amz-checksum-sha256');
  if (checksum && checksum !== bodySha.toString('base64')) {
    return s3Error(ctx, 400, 'BadDigest', 'x-amz-checksum-sha256 does not match the body');
  }

  const headers = {};
  for (const h of m[5].split(';')) headers[h] = ctx.req.headers[h] ?? '';
  const [rawPath, rawQuery = ''] = ctx.req.url.split(/\?(.*)/s);
  const query = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    if (k in query) query[k] = [].concat(query[k], v);
    else query[k] = v;
  }
  const signer = new SignatureV4({ credentials: { accessKeyId: m[1], secretAccessKey: SECRET }, region: m[3],
    service: m[4], sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.sign({ method: ctx.method, protocol: 'http:', hostname: ctx.hostname, path: rawPath,
    query, headers, body }, { signingDate });
  if (signed.headers.authorization !== auth) {
    console.error(`signature mismatch for ${ctx.method} ${ctx.req.url}\n got:  ${auth}\n want: ${signed.headers.authorization}`);
    return s3Error(ctx, 403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.');
  }
  verified++;
  // s3rver reads the body from ctx.req: hand it the bytes we consumed.
  const replay = new PassThrough();
  replay.end(body);
  replay.headers = ctx.req.headers;
  ctx.req = replay;
  return next();
}

const server = new S3rver({ address: '127.0.0.1', port: Number(portArg), directory: dir, silent: true,
  serviceEndpoint: 'localhost',  // virtual-hosted requests: BUCKET.s3.localhost
  configureBuckets: [{ name: bucket, configs: [] }] });
server.middleware.unshift(verifySigV4);  // before s3rver's own: Koa composes at listen time
const { port } = await server.run();
process.stdout.write(`ready ${port}\n`);
const stop = () => server.close(() => {
  console.error(`s3rver: ${verified} signatures verified`);
  process.exit(0);
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
