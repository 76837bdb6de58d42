// One campaign: KPI cards, time series (uPlot) of delivered/opens/clicks, the
// funnel processed -> delivered -> opened -> clicked, human vs machine opens,
// top links and drops by reason. Figures from the live stream are applied at
// once; the series and links (not in the stream) are refetched at most once
// a second while the campaign changes.
import { getJson, campaignPath } from './api.js';
import { h, setNumber, flash, fmtCount, fmtRate, ratio, denseSeries, HOURLY_MIN_BUCKETS, STEP_MS } from './dom.js';

const CARDS = [
  { k: 'processed', label: 'Processed', kind: 'count', sub: (c) => `${fmtCount(c.deferred)} deferrals` },
  { k: 'delivered', label: 'Delivered', kind: 'count', sub: (c) => `${fmtRate(c.rates.delivery_rate)} delivery rate` },
  { k: 'open_rate', label: 'Open rate', kind: 'rate', sub: (c) => `${fmtCount(c.unique_opens)} unique opens` },
  { k: 'human_open_rate', label: 'Human open rate', kind: 'rate', sub: (c) => `${fmtCount(c.human_unique_opens)} human unique opens` },
  { k: 'click_rate', label: 'Click rate', kind: 'rate', sub: (c) => `${fmtCount(c.unique_clicks)} unique clicks` },
  { k: 'click_to_open_rate', label: 'Click-to-open', kind: 'rate', sub: () => 'unique clicks / unique opens' },
  { k: 'bounce_rate', label: 'Bounce rate', kind: 'rate', sub: (c) => `${fmtCount(c.bounces)} bounces, ${fmtCount(c.blocks)} blocks` },
  { k: 'unsubscribe_rate', label: 'Unsubscribe rate', kind: 'rate', sub: (c) => `${fmtCount(c.unsubscribes)} unsubscribes, ${fmtCount(c.group_unsubscribes)} group` },
  { k: 'spam_rate', label: 'Spam rate', kind: 'rate', sub: (c) => `${fmtCount(c.spam_reports)} spam reports` },
  { k: 'dropped', label: 'Dropped', kind: 'count', sub: (c) => `${fmtRate(ratio(c.dropped, c.processed))} of processed` },
];
const FUNNEL = [['processed', 'Processed'], ['delivered', 'Delivered'], ['unique_opens', 'Opened'], ['unique_clicks', 'Clicked']];
const SERIES = [['delivered', 'Delivered'], ['opens', 'Opens'], ['clicks', 'Clicks']];
const GRANULARITIES = ['minute', 'hour', 'day'];
const REFETCH_MS = 1000;

const cardValue = (c, card) => (card.kind === 'rate' ? c.rates[card.k] : c[card.k]);
const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export class CampaignView {
  constructor(root, id, campaigns, onError) {
    this.root = root;
    this.id = id;
    this.campaigns = campaigns;
    this.onError = onError;
    this.granularity = null;  // chosen on first load
    this.chart = null;
    this.lastFetch = 0;
    this.pending = null;
    this.abort = new AbortController();
    this.build();
    this.fetchDetail();
  }

  build() {
    this.title = h('h1');
    this.cards = new Map();
    const cards = h('dl', { class: 'cards' }, CARDS.map((card) => {
      const dd = h('dd', { dataset: { k: card.k } });
      const sub = h('dd', { class: 'sub' });
      this.cards.set(card.k, { dd, sub, card });
      return h('div', { class: 'card' }, h('dt', {}, card.label), dd, sub);
    }));

    this.granButtons = GRANULARITIES.map((g) =>
      h('button', { type: 'button', 'aria-pressed': 'false', dataset: { g }, onclick: () => this.setGranularity(g) }, g));
    this.chartEl = h('div', { class: 'chart', role: 'img', 'aria-label': 'Delivered, opens and clicks over time' });
    this.seriesTable = h('tbody');
    const seriesSection = h('section', { class: 'panel wide', 'aria-labelledby': 'h-series' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'h-series' }, 'Over time'),
        h('div', { class: 'seg', role: 'group', 'aria-label': 'Time bucket' }, this.granButtons)),
      this.chartEl,
      h('details', {}, h('summary', {}, 'Data table'),
        h('div', { class: 'table-wrap short' }, h('table', {},
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Bucket start'),
            SERIES.map(([, label]) => h('th', { scope: 'col', class: 'num' }, label)))),
          this.seriesTable))));

    this.funnel = new Map();
    const funnel = h('ol', { class: 'funnel' }, FUNNEL.map(([k, label]) => {
      const fill = h('div', { class: 'fill' });
      const count = h('span', { class: 'count', dataset: { k } });
      const pct = h('span', { class: 'pct muted' });
      this.funnel.set(k, { fill, count, pct });
      return h('li', {}, h('span', { class: 'label' }, label), h('div', { class: 'bar' }, fill), count, pct);
    }));

    this.hm = {
      human: h('div', { class: 'seg-human' }), machine: h('div', { class: 'seg-machine' }),
      humanN: h('span', { dataset: { k: 'human_opens' } }), machineN: h('span', { dataset: { k: 'machine_opens' } }),
      humanU: h('span', { dataset: { k: 'human_unique_opens' } }), uniqueU: h('span', { dataset: { k: 'unique_opens' } }),
    };
    const hm = h('section', { class: 'panel', 'aria-labelledby': 'h-hm' }, h('h2', { id: 'h-hm' }, 'Human vs machine opens'),
      h('div', { class: 'stack', 'aria-hidden': 'true' }, this.hm.human, this.hm.machine),
      h('ul', { class: 'plain' },
        h('li', {}, h('i', { class: 'key-human' }), 'Human opens: ', this.hm.humanN),
        h('li', {}, h('i', { class: 'key-machine' }), 'Machine opens (Apple MPP and other prefetch): ', this.hm.machineN),
        h('li', {}, 'Unique opens: ', this.hm.uniqueU, ', of which human: ', this.hm.humanU)),
      h('p', { class: 'muted small' }, 'SendGrid\'s open rate counts machine opens; the human open rate does not.'));

    this.links = h('tbody');
    this.linksEmpty = h('p', { class: 'muted' }, 'No clicks yet.');
    const links = h('section', { class: 'panel wide', 'aria-labelledby': 'h-links' }, h('h2', { id: 'h-links' }, 'Top links'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'links' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'URL'), h('th', { scope: 'col', class: 'num' }, 'Clicks'),
          h('th', { scope: 'col', class: 'num' }, 'Unique clicks'))),
        this.links)), this.linksEmpty);

    this.dropped = h('ul', { class: 'plain' });
    this.droppedSection = h('section', { class: 'panel', 'aria-labelledby': 'h-dropped' },
      h('h2', { id: 'h-dropped' }, 'Dropped, by reason'), this.dropped);

    this.root.replaceChildren(
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, '← All campaigns')),
      this.title, cards, seriesSection,
      h('div', { class: 'grid2' },
        h('section', { class: 'panel', 'aria-labelledby': 'h-funnel' }, h('h2', { id: 'h-funnel' }, 'Funnel'), funnel), hm),
      links, this.droppedSection);
    if (this.campaigns.has(this.id)) this.showFigures(false);
  }

  // Figures carried by the campaign object (from the list, the detail or the live stream).
  showFigures(live) {
    const c = this.campaigns.get(this.id);
    if (!c) return;
    this.title.replaceChildren(c.name || c.id, c.name ? h('span', { class: 'id' }, c.id) : null);
    document.title = `${c.name || c.id} · mailpulse`;
    for (const { dd, sub, card } of this.cards.values()) {
      if (setNumber(dd, cardValue(c, card), card.kind) && live) flash(dd);
      sub.textContent = card.sub(c);
    }
    for (const [i, [k]] of FUNNEL.entries()) {
      const { fill, count, pct } = this.funnel.get(k);
      if (setNumber(count, c[k]) && live) flash(count);
      fill.style.width = `${(100 * ratio(c[k], c.processed)).toFixed(2)}%`;
      const [prevK, prevLabel] = i > 1 ? FUNNEL[i - 1] : [];
      pct.textContent = i === 0 ? ''
        : `${fmtRate(ratio(c[k], c.processed))} of processed` +
          (prevK ? ` · ${fmtRate(ratio(c[k], c[prevK]))} of ${prevLabel.toLowerCase()}` : '');
    }
    const humanOpens = c.opens - c.machine_opens;
    setNumber(this.hm.humanN, humanOpens);
    setNumber(this.hm.machineN, c.machine_opens);
    setNumber(this.hm.humanU, c.human_unique_opens);
    setNumber(this.hm.uniqueU, c.unique_opens);
    this.hm.human.style.flexGrow = String(humanOpens);
    this.hm.machine.style.flexGrow = String(c.machine_opens);
    const reasons = Object.entries(c.dropped_by_reason || {}).sort((a, b) => b[1] - a[1]);
    this.dropped.replaceChildren(...reasons.map(([reason, n]) => h('li', {}, `${reason}: `, h('span', { class: 'num' }, fmtCount(n)))));
    this.droppedSection.hidden = reasons.length === 0;
  }

  async fetchDetail() {
    this.lastFetch = Date.now();
    const path = campaignPath(this.id);
    try {
      let g = this.granularity || 'hour';
      let detail = await getJson(`${path}?granularity=${g}`, { signal: this.abort.signal });
      if (!this.granularity && detail.series.length < HOURLY_MIN_BUCKETS) {
        g = 'minute';
        detail = await getJson(`${path}?granularity=${g}`, { signal: this.abort.signal });
      }
      const links = await getJson(`${path}/links?limit=20`, { signal: this.abort.signal });
      this.granularity = g;
      const { series, granularity: _g, ...campaign } = detail;
      this.campaigns.set(this.id, campaign);
      this.showFigures(false);
      this.showSeries(series);
      this.showLinks(links.links);
    } catch (err) {
      if (err.name === 'AbortError') return;
      if (/: no campaign /.test(err.message)) {
        this.title.textContent = `No campaign “${this.id}” (yet)`;
      } else {
        this.onError(err);
      }
    }
  }

  setGranularity(g) {
    this.granularity = g;
    this.fetchDetail();
  }

  showSeries(series) {
    for (const b of this.granButtons) b.setAttribute('aria-pressed', String(b.dataset.g === this.granularity));
    const d = denseSeries(series, this.granularity, SERIES.map(([k]) => k));
    const data = [d.t, ...SERIES.map(([k]) => d[k])];
    if (d.t.length === 1) {
      // uPlot spans one bucket alone over years: frame it with an empty bucket either side.
      const step = STEP_MS[this.granularity] / 1000;
      data[0] = [d.t[0] - step, d.t[0], d.t[0] + step];
      for (let i = 1; i < data.length; i++) data[i] = [null, data[i][0], null];
    }
    const width = Math.max(320, this.chartEl.clientWidth);
    if (this.chart && this.chart.granularity === this.granularity) {
      this.chart.setData(data);
    } else {
      this.chart?.destroy();
      const colors = [cssVar('--c-delivered'), cssVar('--c-opens'), cssVar('--c-clicks')];
      const axis = { stroke: cssVar('--fg-muted'), grid: { stroke: cssVar('--grid') }, ticks: { stroke: cssVar('--grid') } };
      this.chart = new window.uPlot({
        width, height: 260,
        scales: {
          x: { time: true },
          y: { range: (u, min, max) => [0, Math.max(4, max * 1.1)] },
        },
        series: [{}, ...SERIES.map(([, label], i) => ({ label, stroke: colors[i], width: 2, points: { size: 5 } }))],
        axes: [axis, { ...axis, size: 56 }],
      }, data, this.chartEl);
      this.chart.granularity = this.granularity;
      this.resize = new ResizeObserver(() => this.chart?.setSize({ width: Math.max(320, this.chartEl.clientWidth), height: 260 }));
      this.resize.observe(this.chartEl);
    }
    const rows = series.slice(-200).reverse().map((b) => h('tr', {}, h('td', {}, b.start),
      SERIES.map(([k]) => h('td', { class: 'num' }, fmtCount(b[k])))));
    this.seriesTable.replaceChildren(...rows);
  }

  showLinks(links) {
    const max = Math.max(1, ...links.map((l) => l.clicks));
    this.links.replaceChildren(...links.map((l) => {
      const safe = /^https?:\/\//i.test(l.url);
      const bar = h('div', { class: 'linkbar', 'aria-hidden': 'true' });
      bar.style.width = `${(100 * l.clicks / max).toFixed(1)}%`;
      return h('tr', {},
        h('td', { class: 'url' }, safe ? h('a', { href: l.url, rel: 'noopener noreferrer', target: '_blank' }, l.url) : l.url, bar),
        h('td', { class: 'num', dataset: { k: 'clicks', value: l.clicks } }, fmtCount(l.clicks)),
        h('td', { class: 'num', dataset: { k: 'unique_clicks', value: l.unique_clicks } }, fmtCount(l.unique_clicks)));
    }));
    this.linksEmpty.hidden = links.length > 0;
  }

  // The live stream changed this campaign.
  update() {
    this.showFigures(true);
    if (this.pending) return;
    const wait = Math.max(0, this.lastFetch + REFETCH_MS - Date.now());
    this.pending = setTimeout(() => { this.pending = null; this.fetchDetail(); }, wait);
  }

  destroy() {
    this.abort.abort();
    clearTimeout(this.pending);
    this.resize?.disconnect();
    this.chart?.destroy();
  }
}
