// kill -9 the server repeatedly under load: after each restart every
// acknowledged event is in the stream, and no event is in it twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  makeKeyPair, sendgridBody, signedHeaders, startServer, readStream, event, messageId, tempDir,
} from './lib.mjs';

const KILLS = Number(process.env.CRASH_KILLS || 8);
const CLIENTS = 8;
const BATCH = 40;

test(`kill -9 under load ${KILLS} times: every acknowledged event stored exactly once`, { timeout: 240000 }, async () => {
  const keys = makeKeyPair();
  const dataDir = tempDir('mailpulse-crash-');
  const args = ['--sendgrid-public-key', keys.publicB64, '--segment-size', '256KiB'];
  let server = await startServer(args, { dataDir });
  const acknowledged = new Set();
  const sent = new Set();
  let retries = 0;
  let stop = false;

  // A client posts distinct batches; a batch that gets no 200 is resent until
  // it does (as SendGrid retries), against whichever server is up.
  async function client() {
    while (!stop) {
      const msgs = Array.from({ length: 8 }, messageId);
      const events = Array.from({ length: BATCH }, (_, i) => event(i % 3 ? 'open' : 'delivered', msgs[i % msgs.length]));
      // Every 5th batch repeats an earlier event, as SendGrid's duplicates do.
      if (sent.size > 0 && Math.random() < 0.2) events.push({ ...events[0] });
      for (const e of events) sent.add(e.sg_event_id);
      const body = sendgridBody(events);
      for (;;) {
        try {
          const res = await fetch(`${server.base}/v1/webhooks/sendgrid`, {
            method: 'POST', body, headers: signedHeaders(keys.privateKey, body),
          });
          await res.text();
          if (res.status === 200) {
            for (const e of events) acknowledged.add(e.sg_event_id);
            break;
          }
        } catch { /* connection refused or reset by the kill */ }
        retries += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  const clients = Array.from({ length: CLIENTS }, client);
  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
    await server.kill9();
    server = await startServer(args, { dataDir });
  }
  await new Promise((r) => setTimeout(r, 500));
  stop = true;
  await Promise.all(clients);
  await server.stop();

  const records = readStream(dataDir);
  const counts = new Map();
  for (const r of records) counts.set(r.payload.sg_event_id, (counts.get(r.payload.sg_event_id) || 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], 'no event may be stored twice');
  const missing = [...acknowledged].filter((id) => !counts.has(id));
  assert.deepEqual(missing, [], 'every acknowledged event must be stored');
  assert.ok(acknowledged.size > 1000, `load too light: ${acknowledged.size} events acknowledged`);
  assert.ok(retries > 0, 'the kills should have forced some retries');
  // Everything stored was sent by us (nothing invented, nothing from elsewhere).
  for (const id of counts.keys()) assert.ok(sent.has(id));
  console.log(`crash test: ${KILLS} kills, ${acknowledged.size} events acknowledged, ${records.length} stored, ${retries} retries`);
});
