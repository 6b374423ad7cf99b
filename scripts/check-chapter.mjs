#!/usr/bin/env node
// Compiles chapter MDX files with the site's Markdown pipeline (GFM, maths,
// strict KaTeX) and reports what would break the build, without building the
// site: `node scripts/check-chapter.mjs content/chapters/02-query-key-value.mdx`.
import { readFile } from 'node:fs/promises';
import { compile } from '@mdx-js/mdx';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import rehypeKatexStrict from './rehype-katex-strict.mjs';
import { katexOptions } from './katex-options.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/check-chapter.mjs FILE.mdx [...]');
  process.exit(2);
}
let failed = false;
for (const path of files) {
  try {
    const value = await readFile(path, 'utf8');
    const body = value.replace(/^---\n[\s\S]*?\n---\n/, '');
    await compile({ value: body, path }, {
      remarkPlugins: [remarkGfm, remarkMath],
      rehypePlugins: [[rehypeKatex, katexOptions], rehypeKatexStrict],
    });
    const words = body.replace(/\$\$[\s\S]*?\$\$|\$[^$]*\$|<[^>]+>|[#*_`>[\]()|-]/g, ' ').split(/\s+/).filter(Boolean).length;
    console.log(`ok   ${path} (about ${words} words)`);
  } catch (error) {
    failed = true;
    console.log(`FAIL ${path}\n${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exit(failed ? 1 : 0);
