// Pre-signs COUNT distinct webhook bodies the way SendGrid signs them, for
// the signature-cost run (wrk's Lua cannot do ECDSA). Bodies are built from
// the same events.template.jsonl with the same placeholder rules as
// events.lua; each body gets its own prefix, so all COUNT bodies carry
// distinct events.
//
// Usage: node sign-bodies.mjs BATCH COUNT OUT_FILE
// Writes OUT_FILE (read by signed.lua) as repeated records:
//   "<timestamp> <signature-base64> <body-length>\n" <body bytes> "\n"
// and OUT_FILE.pub: the public key as SendGrid shows it (base64 DER SPKI).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [batch, count, out] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
if (!(batch > 0) || !(count > 0) || !out) {
  console.error('usage: node sign-bodies.mjs BATCH COUNT OUT_FILE');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const templatePath = process.env.BENCH_TEMPLATE || path.join(here, 'events.template.jsonl');
const lines = fs.readFileSync(templatePath, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''))
  .filter((l) => /\S/.test(l));

const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
fs.writeFileSync(`${out}.pub`, publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));

const eventTime = Math.floor(Date.now() / 1000) - 300;
const events = [];
for (let n = 1; n <= batch; n++) {
  events.push(lines[(n - 1) % lines.length]
    .replaceAll('@N@', String(n))
    .replaceAll('@M@', String(Math.floor((n - 1) / 4)))
    .replaceAll('@T@', String(eventTime)));
}
const template = '[' + events.join(',\r\n') + ']\r\n';
const nonce = Date.now().toString(36);

const fd = fs.openSync(out, 'w');
const timestamp = String(Math.floor(Date.now() / 1000));
for (let k = 0; k < count; k++) {
  const body = Buffer.from(template.replaceAll('@P@', `s${nonce}b${k.toString(36)}-`));
  const signer = crypto.createSign('SHA256');
  signer.update(Buffer.concat([Buffer.from(timestamp), body]));
  const sig = signer.sign(privateKey).toString('base64');
  fs.writeSync(fd, `${timestamp} ${sig} ${body.length}\n`);
  fs.writeSync(fd, body);
  fs.writeSync(fd, '\n');
}
fs.closeSync(fd);
