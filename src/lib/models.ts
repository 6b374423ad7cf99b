/**
 * The two trained models as a page's islands load them: from the site's own
 * /models/ folder, once per page however many islands ask (the token
 * explorer, the √d_k demo, the 3D view and the head gallery may share the
 * decoder), and the decoder's training snapshots from the same download. A
 * load that fails is forgotten, so the next request tries again.
 */
import type { Engine } from '@attention-guide/attention';
import type { AttentionOutputs, HeadProjections, LoadedModel } from '@attention-guide/models/inference';
import type { DecoderConfig } from '@attention-guide/models/model';
import type { ModelManifest } from '@attention-guide/models/weights';
import { pageEngine } from './engine';

/** The guide's running sentence, in the models' lower-case vocabulary: the demos' default text. */
export const RUNNING_SENTENCE = 'the cat sat on the mat because it was tired .';

export type ModelName = 'decoder' | 'translator';

/**
 * One promise per key for the page's lifetime; a load that fails is
 * forgotten, so the next request tries again.
 */
function once<K, T>(cache: Map<K, Promise<T>>, key: K, load: () => Promise<T>): Promise<T> {
  let promise = cache.get(key);
  if (!promise) {
    promise = load().catch((error: unknown) => {
      cache.delete(key);
      throw error;
    });
    cache.set(key, promise);
  }
  return promise;
}

/**
 * Where /models/ is: '' for the guide's own pages (the page's origin); the
 * custom elements, which run in other sites' pages, set it to the origin and
 * path their bundle was served from.
 */
let assetBase = '';

export function setAssetBase(base: string): void {
  assetBase = base.replace(/\/$/, '');
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response;
}

interface ModelFiles {
  manifest: ModelManifest;
  bytes: Uint8Array;
}

const files = new Map<ModelName, Promise<ModelFiles>>();

/** A model's manifest and binary file (final weights and training snapshots), fetched once per page. */
function pageFiles(name: ModelName): Promise<ModelFiles> {
  return once(files, name, async () => {
    const manifest = (await (await fetchOk(`${assetBase}/models/${name}.json`)).json()) as ModelManifest;
    const bytes = new Uint8Array(await (await fetchOk(`${assetBase}/models/${manifest.file}`)).arrayBuffer());
    return { manifest, bytes };
  });
}

async function load(name: ModelName, snapshot?: number): Promise<LoadedModel> {
  const [{ loadModel }, { manifest, bytes }] = await Promise.all([import('./model-runtime'), pageFiles(name)]);
  return loadModel(manifest, bytes, snapshot);
}

const loads = new Map<string, Promise<LoadedModel>>();

/** A model with its final (shipped) weights. */
export function pageModel(name: ModelName): Promise<LoadedModel> {
  return once(loads, name, () => load(name));
}

/**
 * A model as it was at one of its training snapshots (0: before training;
 * the manifest's `snapshots` lists them), decoded from the same bytes as
 * pageModel's: the binary file is fetched once per page.
 */
export function pageSnapshot(name: ModelName, index: number): Promise<LoadedModel> {
  return once(loads, `${name}@${index}`, () => load(name, index));
}

/** The decoder's reading of the running sentence: its tokens (<bos> first), every head's queries, keys and values, and every layer's concatenated heads and output. */
export interface DecoderHeads {
  tokens: string[];
  projections: HeadProjections[];
  outputs: AttentionOutputs[];
}

/** The decoder reading the running sentence through an engine: the page's (below) or, at build time, the CPU's. */
export function readRunningSentence(engine: Engine, model: LoadedModel): Promise<DecoderHeads> {
  return readText(engine, model, RUNNING_SENTENCE);
}

/** The decoder reading a text (in its vocabulary, or the tokenizer's reading of it; what the tokenizer refuses is thrown with its message), as readRunningSentence does. */
export async function readText(engine: Engine, model: LoadedModel, text: string): Promise<DecoderHeads> {
  const { runDecoder, encode, BOS } = await import('./model-runtime');
  const encoded = encode(text, model.vocabulary['tokens']!, (model.params.config as DecoderConfig).maxLength - 1);
  if (!encoded.ok) throw new Error(encoded.message);
  const run = await runDecoder(engine, model, [BOS, ...encoded.value.ids], { projections: true, outputs: true });
  return { tokens: ['<bos>', ...encoded.value.words], projections: run.projections!, outputs: run.outputs! };
}

const decoderHeads = new Map<string, Promise<DecoderHeads>>();

/**
 * The decoder run once per page on the running sentence, through the page's
 * engine, for every island that shows its heads' vectors or outputs (the √d_k
 * demo, the 3D view, the causal mask, the concatenation in chapter 3), or
 * once per other text (the sparse patterns' longer passage).
 */
export function pageDecoderHeads(text = RUNNING_SENTENCE): Promise<DecoderHeads> {
  return once(decoderHeads, text, async () => {
    const [engine, model] = await Promise.all([pageEngine(), pageModel('decoder')]);
    return readText(engine, model, text);
  });
}
