// End-to-end exactness of the KPIs: the simulator's --truth counts equal the
// API's figures counter by counter, campaign by campaign, with batches
// shuffled, the whole traffic sent twice (same seed), and a kill -9 restart
// in between (so the analytics snapshot + stream replay path is exercised),
// with per-message state spilling to disk; then `report`, `rebuild` and
// `rebuild --from-lake` give the same figures.
//
// The simulator posts to a small collecting proxy here; the test then
// replays the collected batches to the real server in shuffled order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BIN, startServer, tempDir, shuffle, collectSimulated as collect,
  KPI_COUNTERS as COUNTERS } from './lib.mjs';

const run = promisify(execFile);
const TOKEN = 'kpi-test-token';

async function postAll(base, bodies, concurrency = 4) {
  let next = 0;
  async function worker() {
    while (next < bodies.length) {
      const body = bodies[next++];
      const res = await fetch(`${base}/v1/webhooks/sendgrid`, {
        method: 'POST', body, headers: { 'Content-Type': 'application/json' },
      });
      const text = await res.text();
      assert.equal(res.status, 200, text);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function api(base, p) {
  const res = await fetch(base + p, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, json: await res.json() };
}

// Polls until the API's processed/opens/clicks totals stop changing and match.
async function waitFor(base, truth) {
  const want = Object.values(truth.campaigns).reduce((s, c) => s + c.processed + c.opens + c.clicks, 0);
  let got = -1;
  for (let i = 0; i < 300; i++) {
    const { json } = await api(base, '/v1/campaigns');
    got = json.campaigns.reduce((s, c) => s + c.processed + c.opens + c.clicks, 0);
    if (got >= want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`analytics did not catch up: ${got} of ${want}`);
}

test('KPI API equals the simulator truth exactly (shuffled, sent twice, kill -9 between)', { timeout: 180000 }, async () => {
  const dir = tempDir('mailpulse-kpi-');
  const truthFile = path.join(dir, 'truth.json');
  const simArgs = ['--total-events', '4000', '--campaigns', '4', '--batch-size', '50', '--rate', '0',
    '--seed', '11',
    '--start-time', String(Math.floor(Date.now() / 1000) - 3 * 3600), '--truth', truthFile];
  const bodies = await collect(simArgs);
  const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
  // The same seed gives the same bytes: sending "twice" is the same batches
  // again (the simulator posts over several connections, so they arrive at
  // the proxy in any order; compare them as a set).
  const again = await collect([...simArgs.slice(0, -1), truthFile + '.2']);
  assert.deepEqual(again.map(String).sort(), bodies.map(String).sort());

  const dataDir = path.join(dir, 'data');
  // A tiny analytics memory budget: most per-message state spills to disk
  // (and must come back exactly across the kill -9); delivery writes to the
  // lake after every read, for rebuild --from-lake below.
  const args = ['--allow-unsigned', '--api-token', TOKEN, '--analytics-snapshot-interval', '1',
    '--analytics-memory', '64KiB', '--flush-interval', '0'];
  let server = await startServer(args, { dataDir });
  await postAll(server.base, shuffle([...bodies], 1));
  await waitFor(server.base, truth);
  await new Promise((r) => setTimeout(r, 1500));  // let a snapshot happen, then crash after it
  await server.kill9();

  server = await startServer(args, { dataDir });
  try {
    await postAll(server.base, shuffle([...again], 2));
    await waitFor(server.base, truth);
    await new Promise((r) => setTimeout(r, 300));  // anything double-counted would show by now
    // The budget was exceeded: state went to disk (the batches sent again are
    // all ingest duplicates, so this run has nothing to read back).
    const metrics = await (await fetch(server.base + '/metrics')).text();
    const gauge = (name) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics)?.[1]);
    assert.ok(gauge('mailpulse_analytics_messages_spilled') > 0, metrics);

    assert.equal((await fetch(server.base + '/v1/campaigns')).status, 401);
    const { json } = await api(server.base, '/v1/campaigns');
    const byId = Object.fromEntries(json.campaigns.map((c) => [c.id, c]));
    assert.deepEqual(Object.keys(byId).sort(), Object.keys(truth.campaigns).sort());
    for (const [id, want] of Object.entries(truth.campaigns)) {
      const got = byId[id];
      assert.equal(got.name, want.name, `${id} name`);
      for (const k of COUNTERS) assert.equal(got[k], want[k], `${id} ${k}`);
      assert.equal(got.rates.open_rate, want.delivered ? want.unique_opens / want.delivered : 0);
      const links = (await api(server.base, `/v1/campaigns/${encodeURIComponent(id)}/links?limit=1000`)).json.links;
      const gotLinks = Object.fromEntries(links.map((l) => [l.url, { clicks: l.clicks, unique_clicks: l.unique_clicks }]));
      assert.deepEqual(gotLinks, want.links, `${id} links`);
      // The hourly series adds up to the totals.
      const detail = (await api(server.base, `/v1/campaigns/${encodeURIComponent(id)}?granularity=hour`)).json;
      for (const k of COUNTERS) {
        assert.equal(detail.series.reduce((s, b) => s + b[k], 0), want[k], `${id} series ${k}`);
      }
    }
  } finally {
    await server.stop();
  }

  // The terminal report reads the same state from the data dir.
  const { stdout } = await run(BIN, ['report', '--data-dir', dataDir, '--format', 'json']);
  const report = JSON.parse(stdout);
  for (const c of report.campaigns) {
    for (const k of COUNTERS) assert.equal(c[k], truth.campaigns[c.id][k], `report ${c.id} ${k}`);
  }
  // And rebuild recomputes the same figures from the stream.
  await run(BIN, ['rebuild', '--data-dir', dataDir]);
  const rebuilt = JSON.parse((await run(BIN, ['report', '--data-dir', dataDir, '--format', 'json'])).stdout);
  assert.deepEqual(rebuilt, report);
  // And from the lake (then the stream records the lake does not hold yet).
  const lakeOut = (await run(BIN, ['rebuild', '--from-lake', '--data-dir', dataDir])).stdout;
  const fromLake = Number(/(\d+) events, \d+ lines skipped/.exec(lakeOut)?.[1]);
  assert.ok(fromLake > 0, lakeOut);
  const relaked = JSON.parse((await run(BIN, ['report', '--data-dir', dataDir, '--format', 'json'])).stdout);
  assert.deepEqual(relaked, report);
});
