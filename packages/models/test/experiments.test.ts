import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The experiments kept as patches (packages/models/experiments/): their figures can be measured again only while they apply. */
const root = resolve(import.meta.dirname, '../../..');
const dir = join(root, 'packages/models/experiments');
const patches = readdirSync(dir).filter((name) => name.endsWith('.patch'));

describe('the kept experiments', () => {
  it('are there', () => {
    expect(patches).toEqual(expect.arrayContaining(['relative-bias.patch', 'fronted-clause.patch', 'roll-call-restart.patch']));
  });

  it.each(patches)('%s still applies to the code', (name) => {
    expect(() => execFileSync('git', ['apply', '--check', join(dir, name)], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });
});
