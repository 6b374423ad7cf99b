/**
 * The list of demos as data, for tools and pages that embed them: each
 * demo's id, title, chapter, summary, suggested frame height, element tag
 * and settings (with what each accepts).
 */
import type { APIRoute } from 'astro';
import { DEMOS, elementTag } from '../../lib/demos';
import { embedPath } from '../../lib/share';

export const GET: APIRoute = () =>
  new Response(
    JSON.stringify(
      DEMOS.map((demo) => ({ ...demo, element: elementTag(demo), embed: embedPath(demo.id) })),
      null,
      2,
    ),
    { headers: { 'content-type': 'application/json' } },
  );
