/**
 * Each custom element's build-time props, by demo id: what the islands'
 * .astro files compute for their figures (the same props() functions), for
 * src/pages/embed/[demo]/props.json.ts to write to /embed/<id>/props.json.
 * A slot's content goes as a prop its element turns back into a snippet
 * (src/embed/islands/<id>.ts): the Q-K-V formula as MathML, the first
 * layer's maps of concat-and-project as LayerSteps' props.
 */
type Props = () => Promise<Record<string, unknown>>;

export const ELEMENT_PROPS: Record<string, Props> = {
  'token-explorer': async () => (await import('../islands/tokens/TokenExplorer.props')).props(),
  'qkv-pipeline': async () => {
    const { props, formula } = await import('../islands/qkv/QkvPipeline.props');
    return { ...(await props()), formula: formula('mathml') };
  },
  'library-search': async () => (await import('../islands/library/LibrarySearch.props')).props(),
  'sqrt-dk': async () => (await import('../islands/scaling/SqrtDk.props')).props(),
  'qkv-space': async () => (await import('../islands/space/SpaceView.props')).props(),
  'head-gallery': async () => (await import('../islands/gallery/HeadGallery.props')).props(),
  'training-snapshots': async () => (await import('../islands/gallery/TrainingSnapshots.props')).props(),
  'concat-project': async () => {
    const { island, first } = await (await import('../islands/concat/ConcatProject.props')).props();
    return { ...island, first };
  },
  'param-count': async () => (await import('../islands/concat/ParamCount.props')).props(),
  'self-cross': async () => (await import('../islands/cross/SelfCross.props')).props(),
  'causal-mask': async () => (await import('../islands/causal/CausalMask.props')).props(),
  'kv-generation': async () => (await import('../islands/causal/KvGeneration.props')).props(),
  'cost-n2': async () => (await import('../islands/cost/CostN2.props')).props(),
  'sparse-patterns': async () => (await import('../islands/sparse/SparsePatterns.props')).props(),
  'flash-tiles': async () => (await import('../islands/flash/FlashTiles.props')).props(),
  'gpu-benchmark': async () => (await import('../islands/bench/GpuBenchmark.props')).props(),
  'kv-heads': async () => (await import('../islands/cost/KvHeads.props')).props(),
  'ring-attention': async () => (await import('../islands/ring/RingAttention.props')).props(),
};
