// Summaries of repeated measurements. The machine is shared, so every figure is a median with its
// spread (quartiles and extremes), and every comparison is a ratio of medians measured in the same run.

export interface Summary {
  /** How many measurements the summary is made of. */
  count: number;
  median: number;
  /** 25th and 75th percentiles: the middle half of the measurements lies between them. */
  p25: number;
  p75: number;
  min: number;
  max: number;
  /** Interquartile range relative to the median, in percent: how noisy the figure was. */
  spreadPercent: number;
}

/** Percentile by linear interpolation between the closest ranks (the definition spreadsheets use). */
export function percentile(sortedValues: readonly number[], fraction: number): number {
  if (sortedValues.length === 0) {
    throw new Error("percentile: no values to summarize");
  }
  const position = (sortedValues.length - 1) * fraction;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sortedValues[lower] + (sortedValues[upper] - sortedValues[lower]) * (position - lower);
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const median = percentile(sorted, 0.5);
  const p25 = percentile(sorted, 0.25);
  const p75 = percentile(sorted, 0.75);
  return {
    count: sorted.length,
    median,
    p25,
    p75,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    spreadPercent: median === 0 ? 0 : ((p75 - p25) / median) * 100,
  };
}

/** Milliseconds elapsed since `startNs` (from process.hrtime.bigint()). */
export function elapsedMs(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}

/** Rounds for display and for results.json (the raw samples keep three decimals). */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
