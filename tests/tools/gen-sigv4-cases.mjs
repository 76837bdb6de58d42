// Generates tests/data/sigv4/sdk_cases.json: requests signed by the AWS SDK for
// JavaScript v3's own SigV4 implementation (@smithy/signature-v4, the class
// every v3 client uses), so the C++ signer (src/storage/s3/sigv4.cc) is checked
// against the real SDK and not only against our reading of the spec.
//
//   node tests/tools/gen-sigv4-cases.mjs > tests/data/sigv4/sdk_cases.json
//
// s3: true cases are signed the way the SDK's S3 client signs (uriEscapePath
// false: the wire path, encoded once, is signed as is; x-amz-content-sha256
// added); s3: false cases the way other services are (path normalized and
// encoded again; no x-amz-content-sha256 unless given).
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { createHash } from 'node:crypto';

// S3 object keys go on the wire encoded once with the RFC 3986 unreserved set, '/' kept.
const encodeKeyPath = (key) =>
  key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())).join('/');

const sha256hex = (s) => createHash('sha256').update(s).digest('hex');

const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const session = { ...creds, sessionToken: 'FQoGZXIvYXdzEBYaDH+/token==with/specials' };

const cases = [
  { name: 's3-put-simple', s3: true, region: 'us-east-1', method: 'PUT', host: 'bucket.s3.us-east-1.amazonaws.com',
    key: 'lake/2024/05/01/part-0001.jsonl.gz', query: [], body: 'hello world\n',
    headers: [['content-type', 'application/octet-stream'], ['content-length', '12']] },
  { name: 's3-put-special-key-path-style', s3: true, region: 'eu-west-1', method: 'PUT', host: '127.0.0.1:4569',
    key: 'my-bucket/dir with space/a+b=c&d~(e)*!\'é.txt', query: [], body: '{"a":1}',
    headers: [['content-type', 'application/json'], ['x-amz-checksum-sha256', 'n/a-but-signed']] },
  { name: 's3-get-range-session', s3: true, region: 'us-west-2', method: 'GET', host: 'bucket.s3.us-west-2.amazonaws.com',
    key: 'a/b/c.bin', query: [], body: '', creds: session, headers: [['range', 'bytes=100-199']] },
  { name: 's3-list-v2', s3: true, region: 'us-east-1', method: 'GET', host: 's3.us-east-1.amazonaws.com',
    key: 'bucket', query: [['list-type', '2'], ['prefix', 'lake/dt=2024-05-01/'], ['max-keys', '2'],
      ['continuation-token', '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=']], body: '', headers: [] },
  { name: 's3-create-multipart', s3: true, region: 'us-east-1', method: 'POST', host: 'bucket.s3.amazonaws.com',
    key: 'big/object', query: [['uploads', '']], body: '', headers: [] },
  { name: 's3-upload-part-unsigned', s3: true, region: 'us-east-1', method: 'PUT', host: 'bucket.s3.amazonaws.com',
    key: 'big/object', query: [['partNumber', '3'], ['uploadId', 'VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA']],
    body: 'part bytes', unsigned: true, headers: [['content-length', '10']] },
  { name: 's3-delete-trailing-slash', s3: true, region: 'us-east-1', method: 'DELETE', host: 'bucket.s3.amazonaws.com',
    key: 'dir/./../x/', query: [], body: '', headers: [] },
  { name: 'kinesis-post-json', s3: false, region: 'us-east-1', service: 'kinesis', method: 'POST',
    host: 'kinesis.us-east-1.amazonaws.com', path: '/', query: [], body: '{"StreamName":"events","Limit":10}',
    headers: [['content-type', 'application/x-amz-json-1.1'], ['x-amz-target', 'Kinesis_20131202.GetRecords'],
      ['x-amz-user-agent', '  mailpulse/0.1    test  ']], creds: session },
  { name: 'service-double-encode-path', s3: false, region: 'us-east-1', service: 'service', method: 'GET',
    host: 'example.amazonaws.com', path: '/documents%20and%20settings/../a//b/./c%2Fd/', query: [['Param', 'a b+c']],
    body: '', headers: [] },
];

const out = [];
for (const c of cases) {
  const service = c.service ?? 's3';
  const credentials = c.creds ?? creds;
  const signer = new SignatureV4({ credentials, region: c.region, service, sha256: Sha256,
    uriEscapePath: !c.s3, applyChecksum: c.s3 });
  const path = c.s3 ? '/' + encodeKeyPath(c.key) : c.path;
  const headers = { host: c.host };
  for (const [k, v] of c.headers) headers[k] = v;
  if (c.unsigned) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const query = {};
  for (const [k, v] of c.query) query[k] = v;
  const signingDate = new Date(Date.UTC(2024, 4, 1, 12, 34, 56));
  const signed = await signer.sign({ method: c.method, protocol: 'https:', hostname: c.host.split(':')[0],
    path, query, headers, body: c.body }, { signingDate });
  out.push({
    name: c.name, s3: c.s3, region: c.region, service,
    access_key_id: credentials.accessKeyId, secret_access_key: credentials.secretAccessKey,
    session_token: credentials.sessionToken ?? '', timestamp_ms: signingDate.getTime(),
    method: c.method, path, query: c.query, headers: c.headers,
    payload_hash: c.unsigned ? 'UNSIGNED-PAYLOAD' : sha256hex(c.body),
    expected_authorization: signed.headers.authorization,
    expected_amz_date: signed.headers['x-amz-date'],
  });
  for (const [k] of c.headers) if (!(k in signed.headers)) throw new Error(`${c.name}: lost header ${k}`);
}
// host is always first in each case's header list on the C++ side.
for (const o of out) o.headers = [['host', cases.find((c) => c.name === o.name).host], ...o.headers];
process.stdout.write(JSON.stringify({ generator: 'tests/tools/gen-sigv4-cases.mjs',
  sdk: '@smithy/signature-v4 SignatureV4 (AWS SDK for JavaScript v3)', cases: out }, null, 2) + '\n');
