/**
 * Sizes as the guide writes them: binary units (1 KiB = 1,024 B), at most
 * three significant digits with trailing zeros dropped, thousands separators
 * on whole bytes ("1.25 GiB", "320 KiB", "1,000 B"). The chapters' figures and
 * the engine's error messages use this one function.
 */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * One formatter per number of decimals (0 to 2), made once: toLocaleString
 * with options builds a new Intl.NumberFormat at every call, and a redraw of
 * a cost table writes a dozen sizes.
 */
const formats = [0, 1, 2].map((digits) => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }));

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new RangeError(`formatBytes needs a finite, non-negative number, got ${bytes}`);
  }
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${value.toLocaleString('en-US')} B`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  const text = formats[digits]!.format(Number(value.toFixed(digits)));
  return `${text} ${UNITS[unit]}`;
}
