// The campaign table: one row per campaign with its KPIs and a sparkline.
// Rows are updated in place on live updates (focus and scroll stay put);
// column headers are buttons that sort (aria-sort tells screen readers).
import { h, setNumber, flash, fmtCount } from './dom.js';
import { Sparklines } from './sparkline.js';

export const COLUMNS = [
  { k: 'processed', label: 'Processed', kind: 'count', title: 'Messages SendGrid processed' },
  { k: 'delivered', label: 'Delivered', kind: 'count', title: 'Messages delivered' },
  { k: 'open_rate', label: 'Open rate', kind: 'rate', title: 'Unique opens / delivered (SendGrid-compatible, machine opens included)' },
  { k: 'human_open_rate', label: 'Human open rate', kind: 'rate', title: 'Messages with at least one open that is not a machine open / delivered' },
  { k: 'click_rate', label: 'Click rate', kind: 'rate', title: 'Unique clicks / delivered' },
  { k: 'bounce_rate', label: 'Bounce rate', kind: 'rate', title: 'Bounces / processed' },
  { k: 'unsubscribe_rate', label: 'Unsub. rate', kind: 'rate', title: 'Unsubscribes / delivered' },
  { k: 'spam_rate', label: 'Spam rate', kind: 'rate', title: 'Spam reports / delivered' },
];

export const valueOf = (c, col) => (col.kind === 'rate' ? c.rates[col.k] : c[col.k]);
export const campaignHref = (id) => `#/c/${encodeURIComponent(id)}`;

const TOTALS = [
  ['processed', 'Processed'], ['delivered', 'Delivered'], ['unique_opens', 'Unique opens'],
  ['unique_clicks', 'Unique clicks'], ['bounces', 'Bounces'], ['spam_reports', 'Spam reports'],
];

export class OverviewView {
  constructor(root, campaigns, onError) {
    this.root = root;
    this.campaigns = campaigns;  // Map id -> campaign object (shared with app.js)
    this.rows = new Map();       // id -> {tr, cells: Map k -> td}
    this.sort = { k: 'id', dir: 1 };
    this.sparks = new Sparklines(onError);
    this.build();
  }

  build() {
    this.totals = new Map();
    const totals = h('dl', { class: 'totals', 'aria-label': 'All campaigns' },
      TOTALS.map(([k, label]) => {
        const dd = h('dd', { dataset: { k } });
        this.totals.set(k, dd);
        return h('div', {}, h('dt', {}, label), dd);
      }));
    this.headCells = new Map();
    const headRow = h('tr', {}, this.sortHeader('id', 'Campaign', 'text'),
      COLUMNS.map((c) => this.sortHeader(c.k, c.label, 'num', c.title)),
      h('th', { scope: 'col', class: 'spark-col' }, 'Activity',
        h('span', { class: 'legend' }, h('i', { class: 'key-delivered' }), 'delivered ', h('i', { class: 'key-opens' }), 'opens')));
    this.tbody = h('tbody');
    this.empty = h('p', { class: 'empty muted' },
      'No campaigns yet. Point the SendGrid Event Webhook at ', h('code', {}, '/v1/webhooks/sendgrid'),
      ' (or run ', h('code', {}, 'mailpulse simulate'), '): campaigns appear here as events arrive.');
    this.count = h('span', { class: 'muted' });
    this.root.replaceChildren(
      h('h1', {}, 'Campaigns ', this.count),
      totals,
      h('div', { class: 'table-wrap' },
        h('table', { class: 'campaigns' },
          h('caption', { class: 'sr-only' }, 'Campaign KPIs; column headers sort the table'),
          h('thead', {}, headRow), this.tbody)),
      this.empty);
    this.refresh([...this.campaigns.keys()]);
  }

  sortHeader(k, label, cls, title) {
    const btn = h('button', { type: 'button', class: 'sort', title, onclick: () => this.sortBy(k) }, label);
    const th = h('th', { scope: 'col', class: cls }, btn);
    this.headCells.set(k, th);
    return th;
  }

  sortBy(k) {
    this.sort = this.sort.k === k ? { k, dir: -this.sort.dir } : { k, dir: k === 'id' ? 1 : -1 };
    this.order();
  }

  order() {
    const { k, dir } = this.sort;
    for (const [key, th] of this.headCells) {
      if (key === k) th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
    const col = COLUMNS.find((c) => c.k === k);
    const ids = [...this.campaigns.keys()].sort((a, b) => {
      if (col) {
        const d = valueOf(this.campaigns.get(a), col) - valueOf(this.campaigns.get(b), col);
        if (d) return d * dir;
      }
      return (a < b ? -1 : a > b ? 1 : 0) * (col ? 1 : dir);
    });
    const current = [...this.tbody.children].map((tr) => tr.dataset.id);
    if (ids.join('\n') !== current.join('\n')) this.tbody.append(...ids.map((id) => this.rows.get(id).tr));
  }

  row(id) {
    let r = this.rows.get(id);
    if (r) return r;
    const cells = new Map();
    const nameCell = h('th', { scope: 'row', class: 'name' });
    const spark = h('td', { class: 'spark', role: 'img' });
    const tr = h('tr', { dataset: { id } }, nameCell,
      COLUMNS.map((c) => {
        const td = h('td', { class: 'num', dataset: { k: c.k } });
        cells.set(c.k, td);
        return td;
      }), spark);
    r = { tr, cells, nameCell, name: undefined };
    this.rows.set(id, r);
    this.sparks.attach(id, spark);
    return r;
  }

  // Writes the figures of these campaigns (new ones get a row), then totals and order.
  refresh(ids, live = false) {
    for (const id of ids) {
      const c = this.campaigns.get(id);
      const r = this.row(id);
      if (r.name !== c.name) {
        r.name = c.name;
        r.nameCell.replaceChildren(
          h('a', { href: campaignHref(id) }, c.name || id),
          c.name ? h('span', { class: 'id' }, id) : null);
      }
      for (const col of COLUMNS) {
        const td = r.cells.get(col.k);
        if (setNumber(td, valueOf(c, col), col.kind) && live) flash(td);
      }
      if (live) this.sparks.touch(id);
    }
    const sum = Object.fromEntries(TOTALS.map(([k]) => [k, 0]));
    for (const c of this.campaigns.values()) for (const [k] of TOTALS) sum[k] += c[k];
    for (const [k, dd] of this.totals) setNumber(dd, sum[k]);
    this.count.textContent = `(${fmtCount(this.campaigns.size)})`;
    this.empty.hidden = this.campaigns.size > 0;
    this.order();
  }

  update(ids) { this.refresh(ids, true); }

  destroy() { this.sparks.destroy(); }
}
