/**
 * A float32 result as the shortest decimal that reads back as the same
 * float32 (0.806 rather than 0.805999935): the same value, shorter in the
 * page's HTML and in an island's props.
 */
export function shortest(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.fround(x);
  for (let digits = 1; digits < 9; digits++) {
    const y = Number(f.toPrecision(digits));
    if (Math.fround(y) === f) return y;
  }
  // Nine significant digits identify every float32.
  return Number(f.toPrecision(9));
}
