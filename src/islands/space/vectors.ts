/**
 * The vectors the query-key-value space shows: hand-made ones with d_k = 3
 * (drawn exactly), random ones for a crowd of 16 or 64 tokens, and the
 * trained decoder's heads (d_k = 8, drawn projected). No DOM, no three.js:
 * the server render and the island share this file.
 */
import { randn } from '@attention-guide/attention/tensor';
import { DECODER } from '../../lib/model-shape';

/** One head's vectors, row-major: token i's query is queries[i·d … i·d + d). */
export interface SpaceVectors {
  /** Which vectors these are, as the source picker names them. */
  id: SourceId;
  tokens: string[];
  /** d_k: width of a query or key. */
  d: number;
  queries: Float32Array;
  keys: Float32Array;
  /** d_v: width of a value. */
  dv: number;
  /** [tokens × d_v] values, or null where the source has none to show. */
  values: Float32Array | null;
  /** Query i sees keys 0…i only (the decoder's causal mask). */
  causal: boolean;
}

export type SourceId = 'toy' | 'random-16' | 'random-64' | `model-${number}-${number}`;

export const MODEL_LAYERS = DECODER.layers;
export const MODEL_HEADS = DECODER.heads;

export interface SourceOption {
  id: SourceId;
  label: string;
}

export const SOURCES: SourceOption[] = [
  { id: 'toy', label: 'Hand-made vectors, d_k = 3 (exact)' },
  { id: 'random-16', label: '16 random tokens, d_k = 3 (exact)' },
  { id: 'random-64', label: '64 random tokens, d_k = 3 (exact)' },
  ...Array.from({ length: MODEL_LAYERS * MODEL_HEADS }, (_, i) => {
    const layer = Math.floor(i / MODEL_HEADS);
    const head = i % MODEL_HEADS;
    return { id: `model-${layer}-${head}` as SourceId, label: `Trained model, layer ${layer + 1} head ${head + 1}, d_k = 8 (projected)` };
  }),
];

export const isModel = (id: SourceId): id is `model-${number}-${number}` => id.startsWith('model-');

/** The layer and head (0-based) of a model source. */
export function modelHead(id: `model-${number}-${number}`): { layer: number; head: number } {
  const [, layer, head] = id.split('-');
  return { layer: Number(layer), head: Number(head) };
}

/**
 * The chapter's worked example (cat, mat and it, d_k = 2) given a third
 * dimension, with "sat" and "tired" added. The first two coordinates of cat,
 * mat and it are the worked example's, so the query of "it" still lies
 * exactly along the key of "cat"; the third dimension is where "sat" and
 * "tired" differ from them.
 */
const TOY = {
  tokens: ['cat', 'sat', 'mat', 'it', 'tired'],
  queries: [
    [1, 0, 0],
    [1.5, 0, 0.5],
    [0, 1, 0],
    [2, 0, 0],
    [1.5, 0, 1],
  ],
  keys: [
    [2, 0, 0],
    [0, 0.5, 2],
    [0, 2, 0],
    [1, 1, 0],
    [0.5, 0, 2],
  ],
  values: [
    [1, 0, 0],
    [0, 0, 1],
    [0, 1, 0],
    [1, 1, 0],
    [0.5, 0, 1],
  ],
};

/** The token whose query the figure starts with. */
export const TOY_START_QUERY = 3;

export function toyVectors(): SpaceVectors {
  return {
    id: 'toy',
    tokens: [...TOY.tokens],
    d: 3,
    dv: 3,
    queries: Float32Array.from(TOY.queries.flat()),
    keys: Float32Array.from(TOY.keys.flat()),
    values: Float32Array.from(TOY.values.flat()),
    causal: false,
  };
}

/** n tokens with standard normal queries, keys and values (fixed seeds, so every visit shows the same crowd). */
export function randomVectors(n: 16 | 64): SpaceVectors {
  return {
    id: n === 16 ? 'random-16' : 'random-64',
    tokens: Array.from({ length: n }, (_, i) => `t${i + 1}`),
    d: 3,
    dv: 3,
    queries: randn([n, 3], 1000 + n).data,
    keys: randn([n, 3], 2000 + n).data,
    values: randn([n, 3], 3000 + n).data,
    causal: false,
  };
}

/** Row i of a row-major matrix with `width` columns. */
export const row = (data: Float32Array, i: number, width: number): Float32Array => data.subarray(i * width, (i + 1) * width);
