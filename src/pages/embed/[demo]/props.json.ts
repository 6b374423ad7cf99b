/**
 * /embed/<id>/props.json: a demo's first state, computed at build time, for
 * its custom element (src/embed/element.svelte.ts) to mount the island with.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { ELEMENT_PROPS } from '../../../embed/props';
import { encodeProps } from '../../../embed/props-codec';

export const getStaticPaths = (() => Object.keys(ELEMENT_PROPS).map((demo) => ({ params: { demo } }))) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ params }) => {
  const props = ELEMENT_PROPS[params['demo'] ?? ''];
  if (!props) return new Response(null, { status: 404 });
  return new Response(encodeProps(await props()), { headers: { 'content-type': 'application/json' } });
};
