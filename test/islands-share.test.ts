import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELDS as TOKENS } from '../src/islands/tokens/TokenExplorer.share';
import { FIELDS as GALLERY } from '../src/islands/gallery/HeadGallery.share';
import { FIELDS as SNAPSHOTS } from '../src/islands/gallery/TrainingSnapshots.share';
import { FIELDS as CONCAT } from '../src/islands/concat/ConcatProject.share';
import { TRAINED_WIDTH } from '../src/islands/concat/ParamCount.share';
import { FIELDS as SPACE } from '../src/islands/space/SpaceView.share';
import { MODEL_HEADS, MODEL_LAYERS } from '../src/islands/space/vectors';

/** The shipped decoder: the fields built from src/lib/model-shape.ts fit it. */
const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'public', 'models', 'decoder.json'), 'utf8')) as {
  config: { layers: number; heads: number; maxLength: number; dModel: number };
  snapshots: unknown[];
};
const { config } = manifest;

describe('the link fields of the demos that run the trained decoder fit its shape', () => {
  it('layers, heads and token positions', () => {
    for (const fields of [TOKENS, GALLERY, SNAPSHOTS, CONCAT]) {
      expect(fields.layer.max).toBe(config.layers - 1);
      expect(fields.head.max).toBe(config.heads - 1);
    }
    for (const field of [TOKENS.token, GALLERY.query, GALLERY.key, CONCAT.token]) expect(field.max).toBe(config.maxLength - 1);
    expect([MODEL_LAYERS, MODEL_HEADS]).toEqual([config.layers, config.heads]);
    expect(SPACE.vectors.values).toContain(`model-${config.layers - 1}-${config.heads - 1}`);
  });

  it('snapshots and width', () => {
    expect(SNAPSHOTS.snapshot.max).toBe(manifest.snapshots.length);
    expect(TRAINED_WIDTH).toBe(config.dModel);
  });
});
