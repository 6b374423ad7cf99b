import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECODER } from '../src/islands/causal/CausalMask.share';
import { TRANSLATOR } from '../src/islands/cross/SelfCross.share';

const manifest = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'public', 'models', `${name}.json`), 'utf8')).config;

describe('the bounds of the demos’ link fields', () => {
  it('the decoder’s layers and heads are the shipped model’s', () => {
    const config = manifest('decoder');
    expect(DECODER).toEqual({ layers: config.layers, heads: config.heads });
  });

  it('the translator’s encoder layers, heads and French length are the shipped model’s', () => {
    const config = manifest('translator');
    expect(TRANSLATOR).toEqual({ encoderLayers: config.encoderLayers, heads: config.heads, maxTargetLength: config.maxTargetLength });
  });
});
