/**
 * Each custom element's build-time props, by demo id: the same functions the
 * islands' .astro files call for their figures, written by
 * src/pages/embed/[demo]/props.json.ts to /embed/<id>/props.json.
 */
type Props = () => Promise<Record<string, unknown>>;

export const ELEMENT_PROPS: Record<string, Props> = {
  'sqrt-dk': async () => (await import('../islands/scaling/SqrtDk.props')).props(),
  'causal-mask': async () => (await import('../islands/causal/CausalMask.props')).props(),
  'head-gallery': async () => (await import('../islands/gallery/HeadGallery.props')).props(),
};
