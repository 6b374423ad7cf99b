/** How the √d_k demo writes its numbers: British English, a true minus sign, small numbers in powers of ten. */

import { formatCount } from '../../lib/sizes';

const MINUS = '\u2212';

/**
 * A formatter per number of decimals, made once: toLocaleString with options
 * builds a new one at every call (in V8 about 26 µs a number, against 0.6 µs
 * with one kept), and a redraw of the demo writes dozens of numbers.
 */
const formats = new Map<number, Intl.NumberFormat>();

/** Fixed decimals, with thousands separators and a minus sign. */
export function fixed(x: number, decimals: number): string {
  let format = formats.get(decimals);
  if (!format) formats.set(decimals, (format = new Intl.NumberFormat('en-GB', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })));
  return format.format(x).replace('-', MINUS);
}

const SUPERSCRIPT: Record<string, string> = { '-': '\u207b', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** Two significant digits; below 0.001 as "1.3 × 10⁻⁵", since a gradient that small is the point. */
export function small(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) >= 0.001) return String(Number(x.toPrecision(2))).replace('-', MINUS);
  const [mantissa, exponent] = x.toExponential(1).split('e') as [string, string];
  const power = String(Number(exponent)).replace(/./g, (c) => SUPERSCRIPT[c] ?? c);
  return `${mantissa.replace('-', MINUS)} × 10${power}`;
}

/** How many times larger a is than b, as a reader would say it: "2.4", "42", "10,000". */
export function times(a: number, b: number): string {
  const ratio = a / b;
  if (!Number.isFinite(ratio)) return 'infinitely many';
  if (ratio < 10) return fixed(ratio, 1);
  return formatCount(Number(ratio.toPrecision(2)));
}
