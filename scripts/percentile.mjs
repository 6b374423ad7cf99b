// The percentile every benchmark script reports (p50, p95): the value below
// which that share of the samples falls, by the nearest-rank method; NaN for
// no samples. The samples are not reordered.
/**
 * @param {readonly number[]} xs
 * @param {number} p from 0 to 100
 */
export function percentile(xs, p) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
