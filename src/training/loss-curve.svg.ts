import { LossLogRow } from './loss-log.writer';

/** "Nice" tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Exponential moving average with weight α on the newest value (bias-corrected start). */
export function ema(values: readonly number[], alpha: number): number[] {
  let m = 0;
  let w = 0;
  return values.map((v) => {
    m = (1 - alpha) * m + alpha * v;
    w = (1 - alpha) * w + alpha;
    return m / w;
  });
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A self-contained SVG line chart of the training loss (nats/token) against the optimiser step:
 * raw per-step loss in light grey, its EMA (α = 0.05) in blue, axes with nice ticks, a title.
 * Width × height in px; no external fonts, scripts or styles.
 */
export function renderLossCurveSvg(rows: readonly LossLogRow[], opts: { title?: string; width?: number; height?: number } = {}): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 420;
  const m = { l: 60, r: 20, t: 40, b: 50 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const steps = rows.map((r) => r.step);
  const losses = rows.map((r) => r.loss);
  const smooth = ema(losses, 0.05);
  const x0 = rows.length ? Math.min(...steps) : 0;
  const x1 = rows.length ? Math.max(...steps, x0 + 1) : 1;
  const y0 = rows.length ? Math.max(0, Math.floor(Math.min(...losses))) : 0;
  const y1 = rows.length ? Math.ceil(Math.max(...losses, y0 + 0.5)) : 1;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.t + (1 - (y - y0) / (y1 - y0)) * ph;
  const line = (ys: readonly number[]) => rows.map((r, i) => `${sx(r.step).toFixed(1)},${sy(ys[i]!).toFixed(1)}`).join(' ');
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(opts.title ?? 'Training loss')}</text>`);
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    parts.push(`<line x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${m.t + ph}" y2="${m.t + ph + 4}" stroke="black"/>`);
    parts.push(`<text x="${sx(t).toFixed(1)}" y="${m.t + ph + 18}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}" stroke="black"/>`);
  parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="black"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 10}" text-anchor="middle">optimizer step</text>`);
  parts.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">loss (nats / token)</text>`);
  if (rows.length) {
    parts.push(`<polyline fill="none" stroke="#bbb" stroke-width="1" points="${line(losses)}"/>`);
    parts.push(`<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${line(smooth)}"/>`);
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
