// Reads and writes objects with the AWS SDK for JavaScript v3 (@aws-sdk/client-s3),
// so tests prove mailpulse's S3 client interoperates with the official one.
//
//   node tests/tools/s3-sdk.mjs ENDPOINT BUCKET get KEY        -> {"size":N,"sha256":"hex","contentType":"..."}
//   node tests/tools/s3-sdk.mjs ENDPOINT BUCKET put KEY FILE   -> {"etag":"..."}
//   node tests/tools/s3-sdk.mjs ENDPOINT BUCKET list PREFIX    -> {"keys":[...]} (all pages)
//
// Credentials S3RVER/S3RVER, region us-east-1, path-style (tests/tools/s3rver-start.mjs).
import { S3Client, GetObjectCommand, PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [endpoint, bucket, op, key, file] = process.argv.slice(2);
const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });

let out;
if (op === 'get') {
  const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from(await r.Body.transformToByteArray());
  out = { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), contentType: r.ContentType };
} else if (op === 'put') {
  const r = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
  out = { etag: r.ETag };
} else if (op === 'list') {
  const keys = [];
  let token;
  do {
    const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token,
      MaxKeys: 2 }));
    for (const c of r.Contents ?? []) keys.push(c.Key);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  out = { keys };
} else {
  console.error('usage: s3-sdk.mjs ENDPOINT BUCKET get|put|list KEY [FILE]');
  process.exit(2);
}
process.stdout.write(JSON.stringify(out) + '\n');
