// Delivery into an S3 lake (s3rver, SigV4-verified), read back with the AWS
// SDK for JavaScript: partitioned keys, gzip JSON lines with every original
// field plus the mp_* enrichment, and the error prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKeyPair, sendgridBody, signedHeaders, startServer, event, messageId, tempDir, post } from './lib.mjs';
import { startS3rver, s3LakeArgs, s3Client, s3Lines, s3ListAll, metric, waitFor } from './lake-lib.mjs';

test('events reach the S3 lake partitioned, gzip, with their fields; rejects reach the error prefix', { timeout: 90000 }, async () => {
  const s3 = await startS3rver(tempDir('mailpulse-s3-'));
  const keys = makeKeyPair();
  const server = await startServer(['--sendgrid-public-key', keys.publicB64, '--flush-interval', '1',
    ...s3LakeArgs(s3.endpoint)]);
  try {
    const msg = messageId();
    const events = [
      event('open', msg, { marketing_campaign_id: 777, custom_arg: 'kept' }),
      event('click', msg, { marketing_campaign_id: 777, url: 'https://example.com/a' }),
      event('delivered', msg, { singlesend_id: 'ss-1' }),
    ];
    const bad = { timestamp: 1700000000, email: 'x@example.com' };  // no "event"
    const body = sendgridBody([...events, bad]);
    const res = await post(`${server.base}/v1/webhooks/sendgrid`, body, signedHeaders(keys.privateKey, body));
    assert.equal(res.status, 200);

    const client = s3Client(s3.endpoint);
    const rows = await waitFor('3 events in the lake', async () => {
      const r = await s3Lines(client, 'lake/events/');
      return r.length >= 3 ? r : null;
    });
    assert.equal(rows.length, 3);
    const byId = new Map(rows.map((r) => [r.row.sg_event_id, r]));
    for (const e of events) {
      const got = byId.get(e.sg_event_id);
      assert.ok(got, `event ${e.event} delivered`);
      const { mp_received_ms: rec, mp_webhook: wh, mp_message_id: mid, mp_event_ms: ems, ...orig } = got.row;
      assert.deepEqual(orig, e, 'every original field, unchanged');
      assert.equal(wh, 'default');
      assert.equal(mid, msg);
      assert.equal(ems, e.timestamp * 1000);
      assert.ok(rec > 1.7e12);
      const camp = e.marketing_campaign_id ?? e.singlesend_id;
      assert.match(got.key, new RegExp(`^lake/events/event_type=${e.event}/campaign=${camp}/dt=\\d{4}-\\d\\d-\\d\\d/hour=\\d\\d/` +
        'mailpulse-events-\\d{4}-\\d{20}-\\d{20}\\.json\\.gz$'));
    }
    const errors = await waitFor('the rejected element under the error prefix', async () => {
      const r = await s3Lines(client, 'lake/errors/processing-failed/');
      return r.length >= 1 ? r : null;
    });
    assert.equal(errors.length, 1);
    assert.equal(errors[0].row.mp_error, 'missing field: event');
    assert.deepEqual(errors[0].row.raw, bad);
    assert.match(errors[0].key, /^lake\/errors\/processing-failed\/dt=.*\/mailpulse-errors-0000-\d{20}-\d{20}\.json\.gz$/);
    assert.equal(await metric(server.base, 'mailpulse_delivery_records_total', 'source="events"'), 3);
    assert.equal(await metric(server.base, 'mailpulse_delivery_lag_records', 'source="events"'), 0);
    assert.ok((await s3ListAll(client, 'lake/')).length >= 4);
  } finally {
    await server.stop();
    await s3.stop();
  }
});
