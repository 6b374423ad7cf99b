import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECODER, TRANSLATOR } from '../src/lib/model-shape';

const manifest = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'public', 'models', `${name}.json`), 'utf8')) as { config: Record<string, number>; snapshots: unknown[] };

describe('the shapes the demos’ link fields are written for', () => {
  it('are the shipped decoder’s', () => {
    const { config, snapshots } = manifest('decoder');
    expect(DECODER).toEqual({ layers: config['layers'], heads: config['heads'], maxLength: config['maxLength'], dModel: config['dModel'], snapshots: snapshots.length });
  });

  it('are the shipped translator’s', () => {
    const { config } = manifest('translator');
    expect(TRANSLATOR).toEqual({ encoderLayers: config['encoderLayers'], heads: config['heads'], maxTargetLength: config['maxTargetLength'] });
  });
});
