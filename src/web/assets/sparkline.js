// Per-campaign sparklines in the overview table: two polylines (delivered,
// opens) per time bucket, drawn as inline SVG (a uPlot per row would be
// heavier than the table). Series are fetched lazily for rows on screen, at
// most a few at a time, and refreshed when live updates touch the campaign.
import { getJson, campaignPath } from './api.js';
import { denseSeries, fmtCount, HOURLY_MIN_BUCKETS } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 120;
const H = 28;
const REFRESH_MS = 5000;
const PARALLEL = 4;

function polyline(values, max, cls) {
  const p = document.createElementNS(SVG, 'polyline');
  const n = values.length;
  const pts = values.map((v, i) => {
    const x = n === 1 ? W / 2 : (i / (n - 1)) * (W - 2) + 1;
    const y = H - 2 - (max ? (v / max) * (H - 4) : 0);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  p.setAttribute('points', pts.join(' '));
  p.setAttribute('class', cls);
  return p;
}

export function drawSparkline(svgHolder, series, granularity) {
  const d = denseSeries(series, granularity, ['delivered', 'opens'], 240);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('width', W);
  svg.setAttribute('height', H);
  svg.setAttribute('aria-hidden', 'true');
  const max = Math.max(1, ...d.delivered, ...d.opens);
  if (d.t.length) {
    svg.append(polyline(d.delivered, max, 'spark-delivered'), polyline(d.opens, max, 'spark-opens'));
  }
  const peakD = Math.max(0, ...d.delivered);
  const peakO = Math.max(0, ...d.opens);
  svgHolder.replaceChildren(svg);
  svgHolder.setAttribute('aria-label', d.t.length
    ? `${d.t.length} ${granularity}s; peak per ${granularity}: ${fmtCount(peakD)} delivered, ${fmtCount(peakO)} opens`
    : 'no activity yet');
}

// Hourly buckets, or minutes when the campaign is younger than half a day.
async function fetchSeries(id) {
  let d = await getJson(`${campaignPath(id)}?granularity=hour`);
  if (d.series.length >= HOURLY_MIN_BUCKETS) return { series: d.series, granularity: 'hour' };
  d = await getJson(`${campaignPath(id)}?granularity=minute`);
  return { series: d.series, granularity: 'minute' };
}

export class Sparklines {
  constructor(onError) {
    this.onError = onError;
    this.holders = new Map();  // id -> element
    this.state = new Map();    // id -> {visible, loading, loadedAt, dirty}
    this.running = 0;
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const s = this.state.get(e.target.dataset.id);
        if (s) s.visible = e.isIntersecting;
      }
      this.pump();
    });
    this.timer = setInterval(() => this.pump(), 1000);
  }

  attach(id, holder) {
    holder.dataset.id = id;
    this.holders.set(id, holder);
    this.state.set(id, { visible: false, loading: false, loadedAt: 0, dirty: true });
    this.observer.observe(holder);
  }

  // A live update changed this campaign: redraw its sparkline soon.
  touch(id) {
    const s = this.state.get(id);
    if (s) s.dirty = true;
  }

  pump() {
    const now = Date.now();
    for (const [id, s] of this.state) {
      if (this.running >= PARALLEL) return;
      if (!s.visible || s.loading || !s.dirty || now - s.loadedAt < REFRESH_MS) continue;
      s.loading = true;
      s.dirty = false;
      this.running += 1;
      fetchSeries(id)
        .then(({ series, granularity }) => {
          const holder = this.holders.get(id);
          if (holder?.isConnected) drawSparkline(holder, series, granularity);
        })
        .catch((err) => this.onError(err))
        .finally(() => {
          s.loading = false;
          s.loadedAt = Date.now();
          this.running -= 1;
        });
    }
  }

  destroy() {
    this.observer.disconnect();
    clearInterval(this.timer);
  }
}
