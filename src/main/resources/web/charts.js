// Live charts of the admin page: the last 15 minutes from /api/history (srproxy samples every few
// seconds into a bounded ring), each drawn as an inline SVG line chart, no library.
const SVG = 'http://www.w3.org/2000/svg';
const W = 320;
const H = 120;
const PAD = { left: 40, right: 8, top: 8, bottom: 20 };

export const CHARTS = [
  { key: 'calls', title: 'Active calls', unit: '' },
  { key: 'packetsPerSecond', title: 'Media packets/s', unit: '' },
  { key: 'lossPercent', title: 'Loss %', unit: '%' },
  { key: 'cpuPercent', title: 'Process CPU (% of a core)', unit: '%' },
];

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const fmt = (v) => (v >= 1000 ? `${(v / 1000).toFixed(v >= 10000 ? 0 : 1)}k` : `${Math.round(v * 10) / 10}`);

/** One chart: values over times (ms), y from 0 to a round maximum, x over the window ending now. */
export function chart(title, times, values, unit, windowMs) {
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': title });
  const max = Math.max(1, ...values);
  const top = niceCeil(max);
  const x0 = PAD.left;
  const x1 = W - PAD.right;
  const y0 = H - PAD.bottom;
  const y1 = PAD.top;
  const end = times.length ? times[times.length - 1] : Date.now();
  const start = end - windowMs;
  svg.append(el('rect', { x: x0, y: y1, width: x1 - x0, height: y0 - y1, fill: '#fff', stroke: '#d5dae3' }));
  for (const f of [0, 0.5, 1]) {
    const y = y0 - f * (y0 - y1);
    svg.append(el('line', { x1: x0, x2: x1, y1: y, y2: y, stroke: '#eef0f4' }));
    svg.append(el('text', { x: x0 - 4, y: y + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#555' }, fmt(f * top) + unit));
  }
  svg.append(el('text', { x: x0, y: H - 4, 'font-size': 10, fill: '#555' }, `-${Math.round(windowMs / 60000)} min`));
  svg.append(el('text', { x: x1, y: H - 4, 'font-size': 10, fill: '#555', 'text-anchor': 'end' }, 'now'));
  const pts = [];
  times.forEach((t, i) => {
    if (t < start) return;
    const x = x0 + ((t - start) / windowMs) * (x1 - x0);
    const y = y0 - (values[i] / top) * (y0 - y1);
    pts.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  if (pts.length) svg.append(el('polyline', { points: pts.join(' '), fill: 'none', stroke: '#1f77b4', 'stroke-width': 1.5 }));
  const last = values.length ? values[values.length - 1] : 0;
  const figure = document.createElement('figure');
  const caption = document.createElement('figcaption');
  caption.textContent = `${title}: ${fmt(last)}${unit}`;
  figure.append(caption, svg);
  return figure;
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Fills `container` with one chart per series of a /api/history answer. */
export function drawHistory(container, history) {
  if (!history || !history.samples) {
    container.replaceChildren(Object.assign(document.createElement('p'), { textContent: 'not available' }));
    return;
  }
  const s = history.samples;
  const times = s.map((x) => x.t);
  const windowMs = history.capacity * history.intervalSeconds * 1000;
  const series = {
    calls: s.map((x) => x.calls),
    packetsPerSecond: s.map((x) => x.packetsPerSecond),
    // lost out of what arrived plus what was lost, per sample
    lossPercent: s.map((x) => (x.packetsPerSecond + x.lostPerSecond > 0 ? (100 * x.lostPerSecond) / (x.packetsPerSecond + x.lostPerSecond) : 0)),
    cpuPercent: s.map((x) => Math.max(0, x.cpuPercent)),
  };
  container.replaceChildren(...CHARTS.map((c) => chart(c.title, times, series[c.key], c.unit, windowMs)));
}
