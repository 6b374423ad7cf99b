import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIST = join(import.meta.dirname, '..', 'dist');

/**
 * Every page of the built site: the sitemap's URLs as paths, plus the 404
 * page, which sitemaps leave out. Read from dist/ so a page missing from the
 * sitemap is itself a failure of the "every page" checks' premise.
 */
export function sitePages(): string[] {
  const index = readFileSync(join(DIST, 'sitemap-index.xml'), 'utf8');
  const sitemaps = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
  const paths = sitemaps.flatMap((sitemap) => {
    const xml = readFileSync(join(DIST, sitemap), 'utf8');
    return [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
  });
  if (paths.length === 0) throw new Error('The sitemap lists no pages: was the site built?');
  return [...paths, '/404.html'];
}

export function chapterPages(): string[] {
  return sitePages().filter((path) => path.startsWith('/chapters/'));
}
