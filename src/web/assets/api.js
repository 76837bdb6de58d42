// The KPI API as the page uses it: JSON GETs with the API token (if one is
// configured) as a Bearer header, and the live stream's URL. The token is
// asked for once and kept in sessionStorage (gone when the tab closes).
const TOKEN_KEY = 'mailpulse.apiToken';

export class AuthRequired extends Error {
  constructor(rejected) {
    super(rejected ? 'The API token was rejected.' : 'This server needs an API token.');
    this.rejected = rejected;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export async function getJson(path, { signal } = {}) {
  const headers = { Accept: 'application/json' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  const res = await fetch(path, { headers, signal, cache: 'no-store' });
  if (res.status === 401) throw new AuthRequired(Boolean(t));
  if (!res.ok) {
    let reason = `${res.status} ${res.statusText}`;
    try { reason = (await res.json()).error || reason; } catch { /* not JSON */ }
    throw new Error(`${path}: ${reason}`);
  }
  return res.json();
}

// Every campaign: /v1/campaigns is paged (by id), so follow `next` until the last page.
export async function getAllCampaigns() {
  const all = [];
  let after = null;
  do {
    const cursor = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const page = await getJson(`/v1/campaigns?limit=1000${cursor}`);
    all.push(...page.campaigns);
    after = page.next ?? null;
  } while (after !== null);
  return all;
}

export const campaignPath = (id) => `/v1/campaigns/${encodeURIComponent(id)}`;

// EventSource cannot send headers: /v1/live takes the token as ?token=.
export function liveUrl() {
  const t = token();
  return t ? `/v1/live?token=${encodeURIComponent(t)}` : '/v1/live';
}
