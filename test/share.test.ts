import { describe, expect, it } from 'vitest';
import { ignoredNotice, linkParams, prefixed, readFields, writeFields, type Fields } from '../src/lib/share';
import { DEMOS, elementTag } from '../src/lib/demos';

const FIELDS = {
  dk: { kind: 'choice', values: ['8', '64'], doc: '' },
  head: { kind: 'int', min: 0, max: 3, doc: '' },
  temperature: { kind: 'number', min: 0.05, max: 10, doc: '' },
  mask: { kind: 'switch', doc: '' },
  text: { kind: 'text', maxLength: 40, doc: '' },
} as const satisfies Fields;

describe('reading a demo’s settings', () => {
  it('keeps good values, typed', () => {
    const { values, ignored } = readFields(FIELDS, { dk: '64', head: '3', temperature: '0.5', mask: 'off', text: 'the cat sat' });
    expect(values).toEqual({ dk: '64', head: 3, temperature: 0.5, mask: false, text: 'the cat sat' });
    expect(ignored).toEqual([]);
  });

  it('ignores hostile, huge, NaN and unknown values, saying why', () => {
    const { values, ignored } = readFields(FIELDS, {
      dk: '<script>alert(1)</script>',
      head: '1e309',
      temperature: 'NaN',
      mask: 'maybe',
      text: '<img src=x onerror=alert(1)>',
      constructor: '1',
      __proto__: '1',
    });
    expect(values).toEqual({});
    expect(ignored.map((i) => i.name)).toEqual(['dk', 'head', 'temperature', 'mask', 'text', 'constructor']);
    expect(ignored.find((i) => i.name === 'constructor')!.reason).toBe('not a setting of this demo');
  });

  it('refuses numbers out of range, non-integers, Infinity and overlong text', () => {
    const { values, ignored } = readFields(FIELDS, { head: '4', temperature: 'Infinity', text: 'x'.repeat(41) });
    expect(values).toEqual({});
    expect(ignored.map((i) => i.reason)).toEqual(['not between 0 and 3', 'not a number', 'longer than 40 characters']);
    expect(readFields(FIELDS, { head: '1.5' }).ignored[0]!.reason).toBe('not a whole number');
    expect(readFields(FIELDS, { temperature: '1e-1' }).values).toEqual({ temperature: 0.1 });
  });

  it('writes what it reads, in the fields’ order', () => {
    const query = writeFields(FIELDS, { text: 'the cat & the mat', mask: true, dk: '8', head: 2 });
    expect(query).toBe('dk=8&head=2&mask=on&text=the+cat+%26+the+mat');
    expect(readFields(FIELDS, Object.fromEntries(new URLSearchParams(query))).values).toEqual({ dk: '8', head: 2, mask: true, text: 'the cat & the mat' });
  });

  it('takes a chapter link’s prefixed parameters, and bare ones on the demo’s embed page only', () => {
    const search = '?sqrt-dk.dk=8&dk=64&other.dk=2&compute=cpu&sqrt-dk.=1';
    expect(linkParams('sqrt-dk', search, '/chapters/query-key-value/')).toEqual({ dk: '8' });
    expect(linkParams('sqrt-dk', '?dk=64&compute=cpu&theme=dark', '/embed/sqrt-dk/')).toEqual({ dk: '64' });
    expect(linkParams('sqrt-dk', search, '/embed/sqrt-dk/')).toEqual({ dk: '8' });
    expect(prefixed('sqrt-dk', 'dk=8&divisor=off')).toBe('sqrt-dk.dk=8&sqrt-dk.divisor=off');
  });

  it('cuts long names in the notice', () => {
    const notice = ignoredNotice([{ name: 'x'.repeat(100), reason: 'not a setting of this demo' }]);
    expect(notice.length).toBeLessThan(110);
    expect(ignoredNotice([])).toBe('');
  });
});

describe('the demos', () => {
  it('have unique ids that make valid custom element names, and attribute-safe field names', () => {
    const ids = DEMOS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const demo of DEMOS) {
      expect(elementTag(demo)).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/);
      for (const name of Object.keys(demo.fields)) expect(name, `${demo.id}.${name}`).toMatch(/^[a-z][a-z0-9-]*$/);
    }
  });
});
