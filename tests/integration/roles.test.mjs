// serve --roles: a process runs only the stages it is given. With the
// embedded stream, ingest alone keeps acknowledging durably; a later run with
// deliver and analytics catches up from their checkpoints, exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, startServer, sendgridBody, event, messageId, tempDir, post } from './lib.mjs';
import { localLines, metric, waitFor } from './lake-lib.mjs';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

test('ingest alone acks; deliver+analytics later catch up exactly once', { timeout: 60000 }, async () => {
  const dataDir = tempDir();
  const lake = path.join(dataDir, 'lake');
  const events = [];
  for (let i = 0; i < 20; i++) {
    const msg = messageId();
    events.push(event('delivered', msg, { singlesend_id: 'ss-roles' }));
    if (i % 4 === 0) events.push(event('open', msg, { singlesend_id: 'ss-roles' }));
  }
  const body = sendgridBody(events);

  const ingest = await startServer(['--allow-unsigned', '--roles', 'ingest', '--flush-interval', '0'], { dataDir });
  try {
    const res = await post(`${ingest.base}/v1/webhooks/sendgrid`, body, JSON_HEADERS);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { accepted: 25, duplicates: 0, rejected: 0 });
    // No analytics role: no KPI API and no dashboard; no deliver role: no delivery metrics.
    assert.equal((await fetch(`${ingest.base}/v1/campaigns`)).status, 404);
    assert.equal((await fetch(`${ingest.base}/`)).status, 404);
    assert.equal(await metric(ingest.base, 'mailpulse_delivery_records_total'), 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(localLines(lake).length, 0, 'nothing delivered by an ingest-only process');
  } finally {
    await ingest.stop();
  }

  const consumers = await startServer(['--allow-unsigned', '--roles', 'deliver,analytics', '--flush-interval', '0'],
    { dataDir });
  try {
    // No ingest role: the webhook route is not served.
    const refused = await post(`${consumers.base}/v1/webhooks/sendgrid`, body, JSON_HEADERS);
    assert.equal(refused.status, 404);
    assert.ok(refused.json && typeof refused.json.error === 'string');
    const rows = await waitFor('25 events in the lake', async () => {
      const r = localLines(path.join(lake, 'events'));
      return r.length >= 25 ? r : null;
    });
    assert.equal(rows.length, 25);
    assert.equal(new Set(rows.map((r) => r.row.sg_event_id)).size, 25);
    const campaign = await waitFor('KPIs of ss-roles', async () => {
      const r = await (await fetch(`${consumers.base}/v1/campaigns`)).json();
      const c = r.campaigns.find((x) => x.id === 'ss-roles');
      return c && c.delivered === 20 && c.unique_opens === 5 ? c : null;
    });
    assert.equal(campaign.delivered, 20);
    assert.equal(campaign.opens, 5);
  } finally {
    await consumers.stop();
  }
});

test('an unknown or empty role is refused at start with a reason', () => {
  const dataDir = tempDir();
  const bad = spawnSync(BIN, ['serve', '--allow-unsigned', '--data-dir', dataDir, '--listen', '127.0.0.1:0',
    '--roles', 'ingest,firehose'], { encoding: 'utf8', timeout: 20000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /unknown role 'firehose'/);
});
