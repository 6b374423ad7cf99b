/**
 * The two trained models as a page's islands load them: from the site's own
 * /models/ folder, once per page however many islands ask (the token
 * explorer, the √d_k demo and the 3D view may share the decoder). A load
 * that fails is forgotten, so the next request tries again.
 */
import type { Engine } from '@attention-guide/attention';
import type { AttentionOutputs, HeadProjections, LoadedModel } from '@attention-guide/models/inference';
import type { DecoderConfig } from '@attention-guide/models/model';
import type { ModelManifest } from '@attention-guide/models/weights';
import { pageEngine } from './engine';

/** The guide's running sentence, in the models' lower-case vocabulary: the demos' default text. */
export const RUNNING_SENTENCE = 'the cat sat on the mat because it was tired .';

export type ModelName = 'decoder' | 'translator';

const loads = new Map<ModelName, Promise<LoadedModel>>();

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response;
}

async function fetchModel(name: ModelName): Promise<LoadedModel> {
  const [{ loadModel }, manifest] = await Promise.all([
    import('@attention-guide/models/inference'),
    fetchOk(`/models/${name}.json`).then((r) => r.json() as Promise<ModelManifest>),
  ]);
  const bytes = await (await fetchOk(`/models/${manifest.file}`)).arrayBuffer();
  return loadModel(manifest, new Uint8Array(bytes));
}

export function pageModel(name: ModelName): Promise<LoadedModel> {
  let load = loads.get(name);
  if (!load) {
    load = fetchModel(name).catch((error: unknown) => {
      loads.delete(name);
      throw error;
    });
    loads.set(name, load);
  }
  return load;
}

/** The decoder's reading of the running sentence: its tokens (<bos> first), every head's queries, keys and values, and every layer's concatenated heads and output. */
export interface DecoderHeads {
  tokens: string[];
  projections: HeadProjections[];
  outputs: AttentionOutputs[];
}

/** The decoder reading the running sentence through an engine: the page's (below) or, at build time, the CPU's. */
export async function readRunningSentence(engine: Engine, model: LoadedModel): Promise<DecoderHeads> {
  const [{ runDecoder }, { encode }, { BOS }] = await Promise.all([
    import('@attention-guide/models/inference'),
    import('@attention-guide/models/tokenize'),
    import('@attention-guide/models/data'),
  ]);
  const encoded = encode(RUNNING_SENTENCE, model.vocabulary['tokens']!, (model.params.config as DecoderConfig).maxLength - 1);
  if (!encoded.ok) throw new Error(encoded.message);
  const run = await runDecoder(engine, model, [BOS, ...encoded.value.ids], { projections: true, outputs: true });
  return { tokens: ['<bos>', ...encoded.value.words], projections: run.projections!, outputs: run.outputs! };
}

let decoderHeads: Promise<DecoderHeads> | undefined;

/**
 * The decoder run once per page on the running sentence, through the page's
 * engine, for every island that shows its heads' vectors or outputs (the √d_k
 * demo, the 3D view, the concatenation in chapter 3).
 */
export function pageDecoderHeads(): Promise<DecoderHeads> {
  decoderHeads ??= Promise.all([pageEngine(), pageModel('decoder')])
    .then(([engine, model]) => readRunningSentence(engine, model))
    .catch((error: unknown) => {
      decoderHeads = undefined;
      throw error;
    });
  return decoderHeads;
}
