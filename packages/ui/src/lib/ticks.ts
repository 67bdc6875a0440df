/** About `count` round tick values covering [lo, hi] (1, 2 or 5 × a power of ten apart). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const raw = Math.abs(hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  // The round step whose number of intervals is nearest the one asked for.
  const span = Math.abs(hi - lo);
  const step = [1, 2, 5, 10]
    .map((m) => m * power)
    .reduce((best, candidate) => (Math.abs(span / candidate - count) < Math.abs(span / best - count) ? candidate : best));
  const ticks: number[] = [];
  for (let t = Math.ceil(Math.min(lo, hi) / step) * step; t <= Math.max(lo, hi) + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}
