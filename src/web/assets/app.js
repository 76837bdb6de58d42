// The dashboard's entry point: loads the campaign list, keeps it current from
// the live stream (/v1/live, Server-Sent Events), and shows the overview
// (#/) or one campaign (#/c/<id>). Asks for the API token when the server
// wants one.
import { getAllCampaigns, getJson, liveUrl, setToken, AuthRequired } from './api.js';
import { h } from './dom.js';
import { OverviewView } from './overview.js';
import { CampaignView } from './campaign.js';

const main = document.getElementById('main');
const liveBadge = document.getElementById('live');
const campaigns = new Map();  // id -> campaign object, as the API writes it
let view = null;
let source = null;
let pendingIds = new Set();
let frame = 0;

function setLive(state, text) {
  if (liveBadge.dataset.state === state && liveBadge.textContent === text) return;
  liveBadge.dataset.state = state;
  liveBadge.textContent = text;
}

function showError(err) {
  console.error(err);
  let banner = document.getElementById('error');
  if (!banner) {
    banner = h('div', { id: 'error', class: 'error', role: 'alert' });
    main.before(banner);
  }
  banner.textContent = `Something went wrong: ${err.message}`;
}

function route() {
  view?.destroy();
  view = null;
  const m = location.hash.match(/^#\/c\/(.+)$/);
  if (m) {
    view = new CampaignView(main, decodeURIComponent(m[1]), campaigns, showError);
  } else {
    document.title = 'mailpulse · campaigns';
    view = new OverviewView(main, campaigns, showError);
  }
  main.focus({ preventScroll: true });
}

// Live updates arrive up to 4 times a second: apply them once per frame.
function applyLive(list) {
  for (const c of list) {
    campaigns.set(c.id, c);
    pendingIds.add(c.id);
  }
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const ids = [...pendingIds];
    pendingIds = new Set();
    if (view instanceof OverviewView) view.update(ids);
    else if (view instanceof CampaignView && ids.includes(view.id)) view.update();
  });
}

function connectLive() {
  source?.close();
  source = new EventSource(liveUrl());
  source.addEventListener('open', () => setLive('live', 'Live'));
  source.addEventListener('campaigns', (e) => {
    setLive('live', 'Live');
    applyLive(JSON.parse(e.data).campaigns);
  });
  source.addEventListener('error', async () => {
    if (source.readyState === EventSource.CONNECTING) {
      setLive('reconnecting', 'Reconnecting…');
      return;
    }
    // Closed for good (a refused request): find out why, then retry later.
    setLive('offline', 'Offline');
    try {
      await getJson('/v1/campaigns?limit=1');
      setTimeout(connectLive, 2000);
    } catch (err) {
      if (err instanceof AuthRequired) askToken(err);
      else setTimeout(connectLive, 5000);
    }
  });
}

function askToken(err) {
  source?.close();
  view?.destroy();
  view = null;
  setLive('offline', 'Locked');
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const form = h('form', { class: 'token panel', 'aria-labelledby': 'h-token' },
    h('h1', { id: 'h-token' }, 'API token'),
    h('p', {}, 'This server protects its KPI API with a token (', h('code', {}, '--api-token'),
      '). It is kept in this browser tab only (sessionStorage) and sent as a Bearer header.'),
    err.rejected ? h('p', { class: 'error', role: 'alert' }, 'That token was rejected. Try again.') : null,
    h('label', { for: 'token' }, 'Token'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Open dashboard')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    start();
  });
  main.replaceChildren(form);
  input.focus();
}

async function start() {
  try {
    const list = await getAllCampaigns();
    campaigns.clear();
    for (const c of list) campaigns.set(c.id, c);
  } catch (err) {
    if (err instanceof AuthRequired) return askToken(err);
    showError(err);
  }
  route();
  connectLive();
}

window.addEventListener('hashchange', route);
start();
