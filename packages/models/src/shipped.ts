/**
 * The shipped models as files on disk (Node only): public/models/NAME.json
 * and NAME.bin, as the site serves them.
 */

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelName } from './configs';
import { loadModel, type LoadedModel } from './inference';
import type { ModelManifest } from './weights';

export const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../public/models');

export function readManifest(name: ModelName): ModelManifest {
  return JSON.parse(readFileSync(join(MODELS_DIR, `${name}.json`), 'utf8')) as ModelManifest;
}

export function readShipped(name: ModelName, snapshot?: number): LoadedModel {
  const manifest = readManifest(name);
  return loadModel(manifest, new Uint8Array(readFileSync(join(MODELS_DIR, manifest.file))), snapshot);
}
