/**
 * Every demo of the guide, for its links, its embed pages, its custom
 * elements and the page that documents them: a stable name (the embed
 * page's path, the custom element's tag and the prefix of its link
 * parameters), what it shows, its chapter, and the fields of its state that
 * a link or an attribute can set.
 */
import { chapterLink, elementTag, figureAnchor, type Fields } from './share';
import { FIELDS as tokenExplorerFields } from '../islands/tokens/TokenExplorer.share';
import { FIELDS as qkvPipelineFields } from '../islands/qkv/QkvPipeline.share';
import { FIELDS as librarySearchFields } from '../islands/library/LibrarySearch.share';
import { FIELDS as sqrtDkFields } from '../islands/scaling/SqrtDk.share';
import { FIELDS as spaceViewFields } from '../islands/space/SpaceView.share';
import { FIELDS as headGalleryFields } from '../islands/gallery/HeadGallery.share';
import { FIELDS as trainingSnapshotsFields } from '../islands/gallery/TrainingSnapshots.share';
import { FIELDS as concatProjectFields } from '../islands/concat/ConcatProject.share';
import { FIELDS as paramCountFields } from '../islands/concat/ParamCount.share';
import { FIELDS as selfCrossFields } from '../islands/cross/SelfCross.share';
import { FIELDS as causalMaskFields } from '../islands/causal/CausalMask.share';
import { FIELDS as kvGenerationFields } from '../islands/causal/KvGeneration.share';
import { FIELDS as costN2Fields } from '../islands/cost/CostN2.share';
import { FIELDS as sparsePatternsFields } from '../islands/sparse/SparsePatterns.share';
import { FIELDS as flashTilesFields } from '../islands/flash/FlashTiles.share';
import { FIELDS as gpuBenchmarkFields } from '../islands/bench/GpuBenchmark.share';
import { FIELDS as kvHeadsFields } from '../islands/cost/KvHeads.share';
import { FIELDS as ringAttentionFields } from '../islands/ring/RingAttention.share';

export interface Demo {
  /** Lower-case words joined by hyphens: `/embed/<id>/`, `<attention-<id>>`, `?<id>.<field>=`. */
  id: string;
  title: string;
  /** The id of the chapter the demo belongs to. */
  chapter: string;
  /** One sentence on what the demo shows, for the embed page and oEmbed. */
  summary: string;
  fields: Fields;
  /** A height in CSS pixels that fits the demo at a width of 700 px, for an iframe before it reports its own. */
  height: number;
  /** The 3D view: its element has no size target. */
  threeD?: boolean;
}

export const DEMOS: readonly Demo[] = [
  {
    id: 'token-explorer',
    title: "Tokens sharing their attention",
    chapter: 'what-attention-does',
    summary: "Pick a token of a sentence and see how one head of a small trained model shares its attention among the tokens before it, as bars and arcs; type your own sentence.",
    fields: tokenExplorerFields,
    height: 560,
  },
  {
    id: 'qkv-pipeline',
    title: "The attention formula, matrix by matrix",
    chapter: 'query-key-value',
    summary: "Follow softmax(QKᵀ/√d_k)·V one matrix at a time from editable token vectors and projections, with an optional causal mask.",
    fields: qkvPipelineFields,
    height: 900,
  },
  {
    id: 'library-search',
    title: "Attention as a library search",
    chapter: 'query-key-value',
    summary: "A query scored against each book's key returns a weighted mix of the books' values; pick or type a search and change the temperature.",
    fields: librarySearchFields,
    height: 620,
  },
  {
    id: 'sqrt-dk',
    title: "Why the scores are divided by √d_k",
    chapter: 'query-key-value',
    summary: "Random or trained queries and keys at a width you pick, with the division by √d_k on or off, and what it does to the softmax.",
    fields: sqrtDkFields,
    height: 620,
  },
  {
    id: 'qkv-space',
    title: "Queries and keys in 3D",
    chapter: 'query-key-value',
    summary: "Keys as points and one token's query as an arrow in three dimensions; drag the query and watch the weights follow.",
    fields: spaceViewFields,
    height: 640,
    threeD: true,
  },
  {
    id: 'head-gallery',
    title: "Every head of a trained model",
    chapter: 'multi-head-attention',
    summary: "All eight heads of a small trained decoder reading one sentence, each labelled with what it was measured to do; pick one to enlarge it or type a sentence.",
    fields: headGalleryFields,
    height: 760,
  },
  {
    id: 'training-snapshots',
    title: "Heads specialising during training",
    chapter: 'multi-head-attention',
    summary: "A slider through twelve training snapshots: the loss curve and the eight heads' maps from step 0 to the end.",
    fields: trainingSnapshotsFields,
    height: 760,
  },
  {
    id: 'concat-project',
    title: "Concatenate the heads, then project",
    chapter: 'multi-head-attention',
    summary: "Each head's output, their concatenation, W_O and the layer's output, with the shapes at every step.",
    fields: concatProjectFields,
    height: 820,
  },
  {
    id: 'param-count',
    title: "Parameters of multi-head attention",
    chapter: 'multi-head-attention',
    summary: "4 · d_model² parameters per layer whatever the number of heads, for the guide's model and for GPT-3 175B.",
    fields: paramCountFields,
    height: 420,
  },
  {
    id: 'self-cross',
    title: "Self- and cross-attention side by side",
    chapter: 'self-and-cross-attention',
    summary: "A trained English-to-French model's encoder self-attention, masked decoder self-attention and cross-attention for one sentence pair.",
    fields: selfCrossFields,
    height: 820,
  },
  {
    id: 'causal-mask',
    title: "The causal mask",
    chapter: 'self-and-cross-attention',
    summary: "A trained head's scores and weights with the causal mask on or off: masked scores become −∞ and their weights exactly 0.",
    fields: causalMaskFields,
    height: 700,
  },
  {
    id: 'kv-generation',
    title: "Generation with a KV cache",
    chapter: 'self-and-cross-attention',
    summary: "Greedy generation token by token: the cache grows one row per step, and the work saved is counted.",
    fields: kvGenerationFields,
    height: 760,
  },
  {
    id: 'cost-n2',
    title: "The cost of n²",
    chapter: 'making-it-scale',
    summary: "Memory and multiply-adds of the score matrices for a length you choose, against a phone's, a laptop's and a data-centre GPU's memory.",
    fields: costN2Fields,
    height: 640,
  },
  {
    id: 'sparse-patterns',
    title: "Sparse attention patterns",
    chapter: 'making-it-scale',
    summary: "Local, strided, fixed, global and block-sparse patterns over a trained head, with the pairs each one drops.",
    fields: sparsePatternsFields,
    height: 820,
  },
  {
    id: 'flash-tiles',
    title: "FlashAttention, tile by tile",
    chapter: 'making-it-scale',
    summary: "The tiled pass step by step: the running max and sum, the rescaled outputs, and the memory traffic saved.",
    fields: flashTilesFields,
    height: 820,
  },
  {
    id: 'gpu-benchmark',
    title: "Attention timed in your browser",
    chapter: 'making-it-scale',
    summary: "Untiled and tiled attention timed on your device's WebGPU or CPU for growing lengths.",
    fields: gpuBenchmarkFields,
    height: 560,
  },
  {
    id: 'kv-heads',
    title: "Multi-query and grouped-query attention",
    chapter: 'making-it-scale',
    summary: "Query heads sharing key/value heads, from 8 down to 1, and a KV-cache size calculator with published models.",
    fields: kvHeadsFields,
    height: 760,
  },
  {
    id: 'ring-attention',
    title: "Ring attention across devices",
    chapter: 'making-it-scale',
    summary: "Key/value blocks travelling round a ring of devices while the queries stay, with each device's memory.",
    fields: ringAttentionFields,
    height: 760,
  },
];

export function demoById(id: string): Demo | undefined {
  return DEMOS.find((demo) => demo.id === id);
}

/** The demo's place in its chapter (chapterLink), its figure's anchor there, and its custom element's tag. */
export { chapterLink, elementTag, figureAnchor };
