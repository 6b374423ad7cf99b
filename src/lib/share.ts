/**
 * A demo's state as text, for links, embed pages and custom-element
 * attributes. Each demo declares its fields (a sentence, a head, d_k, a
 * switch…); reading checks every value against its field and keeps only the
 * good ones, so a link that was mistyped, truncated or made to harm opens
 * the demo in its default state for those fields, with a notice saying what
 * was ignored. Nothing read here is ever rendered as markup: values reach the
 * page only as numbers, booleans, one of a fixed list, or plain text.
 *
 * On a chapter page each field's parameter carries the demo's name
 * (`?sqrt-dk.dk=128`), since a page holds several demos; on the demo's own
 * embed page, `/embed/sqrt-dk/?dk=128`, the bare name is read as well.
 */

interface FieldBase {
  /** What the field sets, for the embed documentation. */
  doc: string;
}
export interface IntField extends FieldBase {
  kind: 'int';
  min: number;
  max: number;
}
export interface NumberField extends FieldBase {
  kind: 'number';
  min: number;
  max: number;
}
export interface ChoiceField extends FieldBase {
  kind: 'choice';
  values: readonly string[];
}
export interface SwitchField extends FieldBase {
  kind: 'switch';
}
export interface TextField extends FieldBase {
  kind: 'text';
  maxLength: number;
}
export type Field = IntField | NumberField | ChoiceField | SwitchField | TextField;
export type Fields = Record<string, Field>;

type ValueOf<F extends Field> = F extends IntField | NumberField ? number : F extends SwitchField ? boolean : string;
/** The values a demo's fields hold; any may be missing (not in the link, or ignored). */
export type Values<F extends Fields> = { -readonly [K in keyof F]?: ValueOf<F[K]> };

/** One parameter that was not used, and why. */
export interface Ignored {
  name: string;
  reason: string;
}

const ON = new Set(['1', 'on', 'true', 'yes']);
const OFF = new Set(['0', 'off', 'false', 'no']);
/** Control characters and angle brackets: no sentence of the guide needs them, and markup does. */
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u001f\u007f<>]/u;
/** The longest parameter value read at all. */
const MAX_RAW = 2000;

/** A field's value from its text, or why the text was refused. */
export function readField(field: Field, raw: string): { value: number | boolean | string } | { reason: string } {
  if (raw.length > MAX_RAW) return { reason: 'too long' };
  switch (field.kind) {
    case 'int':
    case 'number': {
      const text = raw.trim();
      const pattern = field.kind === 'int' ? /^[+-]?\d{1,16}$/ : /^[+-]?(\d{1,16}(\.\d{0,16})?|\.\d{1,16})(e[+-]?\d{1,3})?$/i;
      if (!pattern.test(text)) return { reason: field.kind === 'int' ? 'not a whole number' : 'not a number' };
      const value = Number(text);
      if (!Number.isFinite(value) || value < field.min || value > field.max) {
        return { reason: `not between ${field.min} and ${field.max}` };
      }
      return { value };
    }
    case 'choice':
      return field.values.includes(raw) ? { value: raw } : { reason: `not one of ${field.values.join(', ')}` };
    case 'switch': {
      const text = raw.trim().toLowerCase();
      if (ON.has(text)) return { value: true };
      if (OFF.has(text)) return { value: false };
      return { reason: 'not on or off' };
    }
    case 'text':
      if (raw.length > field.maxLength) return { reason: `longer than ${field.maxLength} characters` };
      if (UNSAFE_TEXT.test(raw)) return { reason: 'contains characters a sentence cannot' };
      if (raw.trim() === '') return { reason: 'empty' };
      return { value: raw };
  }
}

/** The good values among `raw`'s, by field, and the parameters that were ignored. Names that are no field are ignored too. */
export function readFields<F extends Fields>(fields: F, raw: Readonly<Record<string, string>>): { values: Values<F>; ignored: Ignored[] } {
  const values: Record<string, number | boolean | string> = {};
  const ignored: Ignored[] = [];
  for (const [name, text] of Object.entries(raw)) {
    const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (!field) {
      ignored.push({ name, reason: 'not a setting of this demo' });
      continue;
    }
    const read = readField(field, text);
    if ('value' in read) values[name] = read.value;
    else ignored.push({ name, reason: read.reason });
  }
  return { values: values as Values<F>, ignored };
}

/** The text of one value, as a link or an attribute carries it. */
export function writeValue(value: number | boolean | string): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

/** A demo's values as `name=value&…`, in its fields' order; missing values are left out. */
export function writeFields<F extends Fields>(fields: F, values: Values<F>): string {
  const params = new URLSearchParams();
  for (const name of Object.keys(fields)) {
    const value = values[name];
    if (value !== undefined) params.set(name, writeValue(value));
  }
  return params.toString();
}

/** The path of a demo's embed page. */
export const embedPath = (demo: string) => `/embed/${demo}/`;

/** The path of a demo's static oEmbed response. */
export const oembedPath = (demo: string) => `${embedPath(demo)}oembed.json`;

/** The custom element's tag for a demo. */
export const elementTag = (demo: { id: string }) => `attention-${demo.id}`;

/** What a demo's figure's id starts with: `demo-<id>`, the anchor of its place in its chapter. */
export const FIGURE_ANCHOR_PREFIX = 'demo-';
export const figureAnchor = (demo: { id: string }) => `${FIGURE_ANCHOR_PREFIX}${demo.id}`;

/**
 * The parameters a page's URL holds for one demo, by field name: those
 * named `<demo>.<field>`, and on the demo's own embed page the bare names
 * too (a prefixed one wins). Other demos' parameters are not this demo's
 * business, so they are neither read nor reported.
 */
export function linkParams(demo: string, search: string, pathname: string): Record<string, string> {
  const params = new URLSearchParams(search);
  const found: Record<string, string> = {};
  const prefix = `${demo}.`;
  if (pathname === embedPath(demo)) {
    for (const [name, value] of params) {
      if (!name.includes('.') && !RESERVED.has(name)) found[name] = value;
    }
  }
  for (const [name, value] of params) {
    if (name.startsWith(prefix) && name.length > prefix.length) found[name.slice(prefix.length)] = value;
  }
  return found;
}

/** Page-wide parameters that are no demo's field: the backend switch and the embed page's theme. */
export const RESERVED = new Set(['compute', 'theme']);

/** A demo's state as the parameters of a chapter page's link: each name prefixed with the demo's. */
export function prefixed(demo: string, query: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(query)) params.set(`${demo}.${name}`, value);
  return params.toString();
}

/**
 * The link to a demo's figure in its chapter, in the state `share` (its
 * fields as `name=value&…`; empty for the default view), from `origin`
 * (empty for a path on the guide's own site).
 */
export function chapterLink(demo: { id: string; chapter: string }, share = '', origin = ''): string {
  return `${origin}/chapters/${demo.chapter}/${share ? `?${prefixed(demo.id, share)}` : ''}#${figureAnchor(demo)}`;
}

/** What a notice says about ignored parameters, with each value cut short. */
export function ignoredNotice(ignored: readonly Ignored[]): string {
  if (ignored.length === 0) return '';
  const cut = (text: string) => (text.length > 24 ? `${text.slice(0, 23)}…` : text);
  const list = ignored.map((i) => `${cut(i.name)} (${i.reason})`).join('; ');
  return `Some settings in the link were ignored: ${list}.`;
}
