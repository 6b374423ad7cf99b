import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactWgsl } from '../scripts/wgsl-compact.mjs';

const DIR = join(import.meta.dirname, '..', 'packages', 'attention', 'src', 'webgpu');
const tokens = (source: string) =>
  source
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, ''))
    .join(' ')
    .split(/\s+/)
    .filter(Boolean);

describe('the compacted WGSL kernels', () => {
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.wgsl'))) {
    it(`${name} keeps every token, in order, without comments`, () => {
      const source = readFileSync(join(DIR, name), 'utf8');
      const compact = compactWgsl(source);
      expect(compact).not.toContain('//');
      expect(compact.length).toBeLessThan(source.length);
      expect(tokens(compact)).toEqual(tokens(source));
    });
  }
});
