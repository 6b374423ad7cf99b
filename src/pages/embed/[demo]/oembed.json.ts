/**
 * A static oEmbed response per demo (https://oembed.com/, type "rich"):
 * the iframe snippet a consumer such as a course platform can paste. Chapter
 * pages and embed pages point to it with a discovery link.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { DEMOS, type Demo } from '../../../lib/demos';
import { SITE } from '../../../lib/site';
import { embedCode } from '../../../lib/figure-tools';

export const getStaticPaths = (() => DEMOS.map((demo) => ({ params: { demo: demo.id }, props: { demo } }))) satisfies GetStaticPaths;

/** The width the suggested heights were measured at. */
const WIDTH = 700;

export const GET: APIRoute = ({ props, site }) => {
  const demo = (props as { demo: Demo }).demo;
  // `site` is SITE_URL or the local preview's address (astro.config.mjs).
  const origin = new URL('/', site).origin;
  const body = {
    version: '1.0',
    type: 'rich',
    title: demo.title,
    provider_name: SITE.name,
    provider_url: `${origin}/`,
    html: embedCode(demo, '', origin),
    width: WIDTH,
    height: demo.height,
    cache_age: 86400,
  };
  return new Response(JSON.stringify(body, null, 2), { headers: { 'content-type': 'application/json+oembed' } });
};
