// Small DOM and formatting helpers. Every text from the API goes through
// textContent (never innerHTML): campaign names and URLs are untrusted.

// h('td', {class: 'num', dataset: {k: 'delivered'}}, 'text', childNode, ...)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const countFmt = new Intl.NumberFormat(undefined);
const pctFmt = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const compactFmt = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export const fmtCount = (n) => countFmt.format(n);
export const fmtRate = (r) => pctFmt.format(r);
export const fmtCompact = (n) => compactFmt.format(n);
export const ratio = (a, b) => (b ? a / b : 0);

// Sets a number cell: raw value in data-value (tests and copy-paste read it), formatted text.
export function setNumber(el, value, kind = 'count') {
  const v = String(value);
  if (el.dataset.value === v) return false;
  el.dataset.value = v;
  el.textContent = kind === 'rate' ? fmtRate(value) : fmtCount(value);
  return true;
}

// Briefly highlights an element whose value changed (CSS animation; none if reduced motion).
export function flash(el) {
  el.classList.remove('changed');
  void el.offsetWidth;  // restart the animation
  el.classList.add('changed');
}

// Below this many hourly buckets a campaign is charted by the minute (minute buckets are kept 48 h).
export const HOURLY_MIN_BUCKETS = 12;

export const STEP_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

// The API lists non-empty buckets only: fill the gaps with zeros so charts keep time.
export function denseSeries(series, granularity, keys, maxPoints = 5000) {
  const step = STEP_MS[granularity];
  const out = { t: [], ...Object.fromEntries(keys.map((k) => [k, []])) };
  if (!series.length) return out;
  const first = series[0].start_ms;
  const last = series[series.length - 1].start_ms;
  const start = Math.max(first, last - step * (maxPoints - 1));
  let i = series.findIndex((b) => b.start_ms >= start);
  for (let t = start; t <= last; t += step) {
    const b = i < series.length && series[i].start_ms === t ? series[i++] : null;
    out.t.push(t / 1000);
    for (const k of keys) out[k].push(b ? b[k] : 0);
  }
  return out;
}
