/**
 * The search page: Pagefind's index, built over the chapters after the site
 * build, is loaded from the site's own origin on first use and queried as the
 * reader types. The query lives in ?q= so a search can be shared by URL.
 */

interface PagefindResultData {
  url: string;
  excerpt: string;
  meta: { title?: string };
  sub_results?: { url: string; title: string; excerpt: string }[];
}
interface PagefindSearch {
  results: { data(): Promise<PagefindResultData> }[];
}
interface Pagefind {
  options(options: Record<string, unknown>): Promise<void>;
  debouncedSearch(query: string, options?: unknown, wait?: number): Promise<PagefindSearch | null>;
}

const PAGEFIND_URL = '/pagefind/pagefind.js';
const MAX_RESULTS = 10;

let pagefindLoad: Promise<Pagefind> | undefined;
function loadPagefind(): Promise<Pagefind> {
  pagefindLoad ??= import(/* @vite-ignore */ PAGEFIND_URL).then(async (module: Pagefind) => {
    await module.options({ excerptLength: 24 });
    return module;
  });
  return pagefindLoad;
}

/** Pagefind's excerpts are escaped text with <mark> around hits; keep only that markup. */
function excerptNode(excerpt: string): HTMLParagraphElement {
  const p = document.createElement('p');
  for (const [i, part] of excerpt.split(/<\/?mark>/).entries()) {
    const text = document.createTextNode(part.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? _));
    if (i % 2 === 1) {
      const mark = document.createElement('mark');
      mark.append(text);
      p.append(mark);
    } else {
      p.append(text);
    }
  }
  return p;
}

export async function startSearchPage(): Promise<void> {
  const input = document.querySelector<HTMLInputElement>('#search-input');
  const status = document.querySelector<HTMLElement>('[data-search-status]');
  const list = document.querySelector<HTMLOListElement>('[data-search-results]');
  const form = document.querySelector<HTMLFormElement>('[data-search-form]');
  if (!input || !status || !list || !form) return;

  const run = async (query: string) => {
    const url = new URL(location.href);
    if (query) url.searchParams.set('q', query);
    else url.searchParams.delete('q');
    history.replaceState(null, '', url);

    if (!query.trim()) {
      status.textContent = 'Type a word or phrase to search every chapter.';
      list.replaceChildren();
      return;
    }
    let pagefind: Pagefind;
    try {
      pagefind = await loadPagefind();
    } catch {
      status.textContent = 'The search index is missing. It is built with the site (npm run build).';
      return;
    }
    const search = await pagefind.debouncedSearch(query, {}, 150);
    if (search === null) return; // superseded by a newer keystroke
    const results = await Promise.all(search.results.slice(0, MAX_RESULTS).map((r) => r.data()));
    list.replaceChildren(
      ...results.map((result) => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = result.url;
        a.textContent = result.meta.title ?? result.url;
        li.append(a, excerptNode(result.excerpt));
        return li;
      }),
    );
    const count = search.results.length;
    status.textContent =
      count === 0
        ? `No chapter mentions “${query}”.`
        : `${count} ${count === 1 ? 'chapter mentions' : 'chapters mention'} “${query}”${count > MAX_RESULTS ? `; the first ${MAX_RESULTS} are shown` : ''}.`;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(input.value);
  });
  input.addEventListener('input', () => void run(input.value));

  const initial = new URLSearchParams(location.search).get('q') ?? '';
  input.value = initial;
  if (initial) await run(initial);
  else status.textContent = 'Type a word or phrase to search every chapter.';
  input.focus();
}
