/**
 * Build time only (Node): the decoder reading the running sentence on the
 * CPU engine, through the code the browser runs (tokens/reading.ts), for the
 * islands' server-rendered first state.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '@attention-guide/attention';
import { readShipped } from '@attention-guide/models/shipped';
import type { DecoderConfig } from '@attention-guide/models/model';
import type { ModelManifest } from '@attention-guide/models/weights';
import { RUNNING_SENTENCE } from '../../lib/models';
import type { Reading } from './packed';
import { encodeText, readEncoded } from './reading';

// The build runs from the repository root (as src/pages/models.astro does).
const MODELS_DIR = join(process.cwd(), 'public', 'models');

export interface BuiltReading {
  manifest: ModelManifest;
  config: DecoderConfig;
  vocabulary: string[];
  reading: Reading;
  /** Bytes the browser downloads to run the decoder (its manifest and binary file). */
  downloadBytes: number;
}

const built = new Map<number | undefined, Promise<BuiltReading>>();

/** The decoder (its final weights, or training snapshot `snapshot`) reading the running sentence; once per build for each. */
export function readRunningSentence(snapshot?: number): Promise<BuiltReading> {
  let reading = built.get(snapshot);
  if (!reading) {
    reading = read(snapshot);
    built.set(snapshot, reading);
  }
  return reading;
}

async function read(snapshot: number | undefined): Promise<BuiltReading> {
  const model = readShipped('decoder', snapshot, MODELS_DIR);
  const config = model.manifest.config as DecoderConfig;
  const vocabulary = [...model.vocabulary['tokens']!.words];
  const encoded = encodeText(RUNNING_SENTENCE, vocabulary, config.maxLength);
  if (!encoded.ok) throw new Error(encoded.message);
  const engine = await createEngine({ prefer: 'cpu' });
  try {
    const reading = await readEncoded(engine, model, encoded.value);
    const downloadBytes = ['decoder.json', model.manifest.file].reduce((sum, file) => sum + statSync(join(MODELS_DIR, file)).size, 0);
    return { manifest: model.manifest, config, vocabulary, reading, downloadBytes };
  } finally {
    engine.dispose();
  }
}
