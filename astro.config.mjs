// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import svelte from '@astrojs/svelte';
import sitemap from '@astrojs/sitemap';
import { unified } from '@astrojs/markdown-remark';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import pagefind from './scripts/astro-pagefind.mjs';
import embedElements from './scripts/embed-elements.mjs';
import wgslCompact from './scripts/wgsl-compact.mjs';
import rehypeKatexStrict from './scripts/rehype-katex-strict.mjs';
import rehypeTableScroll from './scripts/rehype-table-scroll.mjs';
import rehypeSections from './scripts/rehype-sections.mjs';
import { katexOptions } from './scripts/katex-options.mjs';

// The public origin the guide is served from. It feeds canonical links, social
// meta and the sitemap; set SITE_URL when building for a real host.
const site = process.env.SITE_URL ?? 'http://localhost:4321';

export default defineConfig({
  site,
  trailingSlash: 'always',
  // Astro 7's default Markdown processor ignores remark/rehype plugins, so the
  // unified pipeline is chosen explicitly: KaTeX then renders all maths at
  // build time and no KaTeX JavaScript reaches readers.
  markdown: {
    processor: unified({
      remarkPlugins: [remarkMath],
      rehypePlugins: [[rehypeKatex, katexOptions], rehypeKatexStrict, rehypeTableScroll, rehypeSections],
      // Footnotes are how chapters cite their sources, so their list gets a
      // visible heading rather than the default screen-reader-only one.
      remarkRehype: {
        footnoteLabel: 'Sources',
        footnoteLabelTagName: 'h2',
        footnoteLabelProperties: { className: ['sources-heading'] },
        // The visible text of a repeated back-link is "↩2", so its name has the 2 too.
        footnoteBackLabel: (/** @type {number} */ index, /** @type {number} */ again) =>
          again > 1 ? `Back to citation ${again} of source ${index + 1}` : `Back to where source ${index + 1} is cited`,
      },
    }),
  },
  integrations: [
    mdx(),
    svelte(),
    // A demo's own embed page is for frames and carries noindex; the page documenting them is listed.
    sitemap({ filter: (page) => !/\/embed\/[^/]+\/$/.test(new URL(page).pathname) }),
    pagefind(),
    embedElements(),
  ],
  vite: {
    plugins: [wgslCompact()],
    build: {
      // A page's own script over 1 kB (the chapters' contents tracking and
      // in-page jumps) is a file of its own, fetched once and cached for
      // every chapter, rather than copied into each chapter's HTML. Other
      // assets keep Vite's default (undefined: inlined under 4 kB).
      assetsInlineLimit: (/** @type {string} */ path, /** @type {Buffer} */ content) => (path.endsWith('.js') ? content.length < 1000 : undefined),
    },
  },
  devToolbar: { enabled: false },
});
