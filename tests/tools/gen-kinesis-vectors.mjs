// Generates tests/data/kinesis/signed_requests.json: Kinesis JSON 1.1
// requests signed by the AWS SDK for JavaScript v3's SigV4 implementation
// (@smithy/signature-v4, the signer @aws-sdk/client-kinesis uses), so
// KinesisClient::BuildRequest (src/stream/kinesis/kinesis_client.cc) is
// checked against the SDK and not only against our reading of the spec.
//
//   node tests/tools/gen-kinesis-vectors.mjs > tests/data/kinesis/signed_requests.json
//
// Bodies are written out literally here (not produced by mailpulse), so the
// test also pins mailpulse's request body bytes.
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const session = { ...creds, sessionToken: 'FQoGZXIvYXdzEBYaDH+/token==with/specials' };
const b64 = (s) => Buffer.from(s).toString('base64');

const cases = [
  {
    name: 'put-records-two', region: 'us-east-1', host: 'kinesis.us-east-1.amazonaws.com', endpoint: 'https://kinesis.us-east-1.amazonaws.com',
    op: 'PutRecords', stream: 'mailpulse-events',
    records: [{ data: '{"event":"open","sg_event_id":"a1"}\n', key: 'msgid-0001' },
      { data: 'binary\u0000\u00ff', key: 'k "quoted" \\ back' }],
  },
  {
    name: 'put-records-session-localhost', region: 'eu-west-1', host: '127.0.0.1:4567', endpoint: 'http://127.0.0.1:4567',
    op: 'PutRecords', stream: 'events', creds: session,
    records: [{ data: 'x', key: 'p' }],
  },
  {
    name: 'list-shards', region: 'us-west-2', host: 'kinesis.us-west-2.amazonaws.com', endpoint: 'https://kinesis.us-west-2.amazonaws.com',
    op: 'ListShards', stream: 'events', body: '{"StreamName":"events"}',
  },
  {
    name: 'get-shard-iterator-after', region: 'us-east-1', host: 'kinesis.us-east-1.amazonaws.com', endpoint: 'https://kinesis.us-east-1.amazonaws.com',
    op: 'GetShardIterator', stream: 'events',
    body: '{"ShardId":"shardId-000000000002","ShardIteratorType":"AFTER_SEQUENCE_NUMBER","StartingSequenceNumber":"49546986683135544286507457936321625675700192471156785154","StreamName":"events"}',
  },
];

const out = [];
for (const c of cases) {
  const credentials = c.creds ?? creds;
  let body = c.body;
  if (!body) {
    // JSON.stringify escapes exactly like mailpulse's AppendJsonString for these inputs.
    body = '{"Records":[' + c.records.map((r) => `{"Data":"${b64(Buffer.from(r.data, 'latin1'))}","PartitionKey":${JSON.stringify(r.key)}}`).join(',') +
      `],"StreamName":${JSON.stringify(c.stream)}}`;
  }
  const signer = new SignatureV4({ credentials, region: c.region, service: 'kinesis', sha256: Sha256,
    uriEscapePath: true, applyChecksum: false });
  const headers = { host: c.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${c.op}` };
  const signingDate = new Date(Date.UTC(2024, 4, 1, 12, 34, 56));
  const signed = await signer.sign({ method: 'POST', protocol: c.endpoint.split(':')[0] + ':', hostname: c.host.split(':')[0],
    path: '/', query: {}, headers, body }, { signingDate });
  out.push({
    name: c.name, region: c.region, endpoint: c.endpoint, operation: c.op, stream: c.stream,
    access_key_id: credentials.accessKeyId, secret_access_key: credentials.secretAccessKey,
    session_token: credentials.sessionToken ?? '', timestamp_ms: signingDate.getTime(),
    records: (c.records ?? []).map((r) => ({ data_b64: b64(Buffer.from(r.data, 'latin1')), partition_key: r.key })),
    body,
    expected_authorization: signed.headers.authorization,
    expected_amz_date: signed.headers['x-amz-date'],
    expected_security_token: signed.headers['x-amz-security-token'] ?? '',
  });
}
process.stdout.write(JSON.stringify({ generator: 'tests/tools/gen-kinesis-vectors.mjs',
  sdk: '@smithy/signature-v4 SignatureV4 (AWS SDK for JavaScript v3)', cases: out }, null, 2) + '\n');
