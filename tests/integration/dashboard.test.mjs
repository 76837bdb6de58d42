// The web dashboard end to end, in headless Chromium (Debian's `chromium`
// driven by playwright-core; no browser download): the real server, a
// simulated campaign mix sent signed, the page's figures checked against the
// simulator's --truth, then more events posted and the page checked to show
// them live (no reload) within 2 s. Screenshots go to tests/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { BIN, startServer, tempDir, sendgridBody, signedHeaders, post, messageId } from './lib.mjs';

const run = promisify(execFile);
const TOKEN = 'dashboard-test-token';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = path.resolve('tests/artifacts');
const LIVE_LIMIT_MS = 2000;

async function api(base, p) {
  const res = await fetch(base + p, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200, p);
  return res.json();
}

async function waitForTotals(base, want) {
  let got = -1;
  for (let i = 0; i < 200; i++) {
    const { campaigns } = await api(base, '/v1/campaigns');
    got = campaigns.reduce((s, c) => s + c.processed + c.opens + c.clicks, 0);
    if (got >= want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`analytics did not catch up: ${got} of ${want}`);
}

// Every data-value under `root` keyed by data-k, outside the links table
// (whose rows carry per-link clicks under the same keys).
async function figures(page, selector) {
  return page.$$eval(`${selector} [data-k][data-value]`, (els) =>
    Object.fromEntries(els.filter((e) => !e.closest('table.links')).map((e) => [e.dataset.k, Number(e.dataset.value)])));
}

// One new message of `campaign`: processed, delivered, 2 opens (1 machine), 1 click.
function messageEvents(campaign, name, url) {
  const msg = messageId();
  const now = Math.floor(Date.now() / 1000);
  const base = {
    email: `live-${msg}@example.com`, timestamp: now, singlesend_id: campaign, singlesend_name: name,
    sg_message_id: `${msg}.recvd-7f8c9d-abcde-1-65A0B0C0-1.0`,
  };
  const ev = (event, extra = {}) => ({ ...base, event, sg_event_id: crypto.randomBytes(16).toString('base64url'), ...extra });
  return [ev('processed'), ev('delivered'), ev('open', { sg_machine_open: true }), ev('open', { sg_machine_open: false }),
    ev('click', { url })];
}

test('dashboard shows the simulated campaigns exactly and updates live', { timeout: 120000 }, async (t) => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} missing: run scripts/deps.sh (Debian package chromium)`);
  const dir = tempDir('mailpulse-dash-');
  await run(BIN, ['keygen', '--out-dir', path.join(dir, 'keys')]);
  const pem = path.join(dir, 'keys', 'private.pem');
  const privateKey = crypto.createPrivateKey(fs.readFileSync(pem));
  const publicB64 = fs.readFileSync(path.join(dir, 'keys', 'public.b64'), 'utf8').trim();

  const server = await startServer(['--sendgrid-public-key', publicB64, '--api-token', TOKEN],
    { dataDir: path.join(dir, 'data') });
  t.after(() => server.stop());
  const truthFile = path.join(dir, 'truth.json');
  await run(BIN, ['simulate', '--url', `${server.base}/v1/webhooks/sendgrid`, '--private-key', pem,
    '--total-events', '2000', '--campaigns', '3', '--batch-size', '100', '--rate', '0', '--seed', '21',
    '--truth', truthFile], { maxBuffer: 1 << 24 });
  const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
  await waitForTotals(server.base,
    Object.values(truth.campaigns).reduce((s, c) => s + c.processed + c.opens + c.clicks, 0));

  const profile = tempDir('mailpulse-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  t.after(() => context.close());
  const page = context.pages()[0] || await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  // Nothing may leave the machine: every request goes to the server under test.
  const offsite = [];
  page.on('request', (r) => { if (!r.url().startsWith(server.base)) offsite.push(r.url()); });

  // The server wants a token: the page asks once, keeps it for the tab.
  await page.goto(`${server.base}/`);
  await page.getByRole('textbox', { name: 'Token' }).fill(TOKEN);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  // The page learns that a token is needed from a 401, which Chromium logs as
  // a failed resource load; that one is expected, nothing else is.
  const beforeToken = problems.splice(0);
  assert.ok(beforeToken.every((m) => m.includes('status of 401')), beforeToken.join('\n'));

  // Overview: one row per campaign, figures equal to the truth.
  const ids = Object.keys(truth.campaigns).sort();
  await page.waitForFunction((n) => document.querySelectorAll('table.campaigns tbody tr').length === n, ids.length);
  await page.waitForSelector('#live[data-state="live"]');
  for (const id of ids) {
    const want = truth.campaigns[id];
    const got = await figures(page, `tr[data-id="${id}"]`);
    assert.deepEqual(got, {
      processed: want.processed,
      delivered: want.delivered,
      open_rate: want.unique_opens / want.delivered,
      human_open_rate: want.human_unique_opens / want.delivered,
      click_rate: want.unique_clicks / want.delivered,
      bounce_rate: want.bounces / want.processed,
      unsubscribe_rate: want.unsubscribes / want.delivered,
      spam_rate: want.spam_reports / want.delivered,
    }, `row ${id}`);
    const name = await page.textContent(`tr[data-id="${id}"] th a`);
    assert.equal(name, want.name);
  }
  const delivered = await page.textContent(`tr[data-id="${ids[0]}"] td[data-k="delivered"]`);
  assert.equal(delivered, truth.campaigns[ids[0]].delivered.toLocaleString('en-US'));
  // Sparklines are drawn for the rows on screen.
  await page.waitForFunction(() => document.querySelectorAll('td.spark svg polyline').length >= 2);
  fs.mkdirSync(ARTIFACTS, { recursive: true });

  // Keyboard: focus the first campaign's link, Enter opens its page.
  const id = ids[0];
  const want = truth.campaigns[id];
  await page.getByRole('link', { name: want.name }).focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('.chart canvas');
  await page.waitForFunction(() => document.querySelectorAll('table.links tbody tr').length > 0);
  const detail = await figures(page, 'main');
  for (const k of ['processed', 'delivered', 'unique_opens', 'unique_clicks', 'machine_opens', 'human_unique_opens', 'dropped']) {
    assert.equal(detail[k], want[k], `detail ${k}`);
  }
  assert.equal(detail.human_opens, want.opens - want.machine_opens);
  assert.equal(detail.click_to_open_rate, want.unique_clicks / want.unique_opens);
  const links = await page.$$eval('table.links tbody tr', (rows) => rows.map((r) => ({
    url: r.querySelector('td.url').textContent,
    clicks: Number(r.querySelector('[data-k="clicks"]').dataset.value),
    unique_clicks: Number(r.querySelector('[data-k="unique_clicks"]').dataset.value),
  })));
  const wantLinks = Object.entries(want.links).map(([url, l]) => ({ url, ...l }))
    .sort((a, b) => b.clicks - a.clicks || b.unique_clicks - a.unique_clicks || (a.url < b.url ? -1 : 1));
  assert.deepEqual(links, wantLinks);

  // Live, on the campaign page: 3 more messages; the cards follow without a reload.
  const navigations = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
  const url = 'https://example.com/live-link';
  const events = [0, 1, 2].flatMap(() => messageEvents(id, want.name, url));
  let body = sendgridBody(events);
  let t0 = Date.now();
  let res = await post(`${server.base}/v1/webhooks/sendgrid`, body, signedHeaders(privateKey, body));
  assert.equal(res.status, 200, res.text);
  await page.waitForFunction(([d, c]) =>
    document.querySelector('main [data-k="delivered"]')?.dataset.value === String(d) &&
    document.querySelector('main [data-k="unique_clicks"]')?.dataset.value === String(c),
  [want.delivered + 3, want.unique_clicks + 3], { timeout: 5000, polling: 'raf' });
  const liveMs = Date.now() - t0;
  assert.ok(liveMs <= LIVE_LIMIT_MS, `campaign page updated after ${liveMs} ms`);
  // The links table (refetched, not streamed) follows too.
  await page.waitForFunction((u) => [...document.querySelectorAll('td.url')].some((td) => td.textContent === u), url,
    { timeout: 5000 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-campaign.png'), fullPage: true });

  // Live, on the overview: a campaign that did not exist appears with its figures.
  await page.getByRole('link', { name: '← All campaigns' }).click();
  await page.waitForSelector(`tr[data-id="${id}"]`);
  const events2 = [0, 1].flatMap(() => messageEvents('ss-live-new', 'Live launch', url));
  body = sendgridBody(events2);
  t0 = Date.now();
  res = await post(`${server.base}/v1/webhooks/sendgrid`, body, signedHeaders(privateKey, body));
  assert.equal(res.status, 200, res.text);
  await page.waitForSelector('tr[data-id="ss-live-new"] td[data-k="delivered"][data-value="2"]',
    { timeout: 5000 });
  const newRowMs = Date.now() - t0;
  assert.ok(newRowMs <= LIVE_LIMIT_MS, `new campaign row after ${newRowMs} ms`);
  assert.deepEqual(await figures(page, 'tr[data-id="ss-live-new"]'), {
    processed: 2, delivered: 2, open_rate: 1, human_open_rate: 1, click_rate: 1, bounce_rate: 0,
    unsubscribe_rate: 0, spam_rate: 0,
  });
  assert.equal((await figures(page, `tr[data-id="${id}"]`)).delivered, want.delivered + 3);
  assert.deepEqual(navigations.filter((u) => !u.includes('#')), [], 'no reload');
  await page.waitForFunction(() => document.querySelectorAll('td.spark svg polyline').length >= 8);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  console.log(`live update latency: campaign page ${liveMs} ms, new row ${newRowMs} ms`);

  assert.deepEqual(offsite, [], 'requests that left the server');
  assert.deepEqual(problems, [], 'console errors or warnings');
});
