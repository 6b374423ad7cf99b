/**
 * The library search's first search, computed at build time by the same
 * code and engine (on the CPU) the browser runs: for its figure
 * (LibrarySearch.astro) and its custom element (/embed/library-search/props.json).
 */
import { createEngine } from '@attention-guide/attention';
import { DEFAULT_TEMPERATURE, PRESETS, parseQuery, search } from './catalogue';

export async function props() {
  const text = PRESETS[0];
  const parsed = parseQuery(text);
  if (!parsed.ok) throw new Error(`The first search, “${text}”, does not parse: ${parsed.message}`);
  const engine = await createEngine({ prefer: 'cpu' });
  const initial = await search(engine, text, parsed, DEFAULT_TEMPERATURE);
  engine.dispose();
  return { initial };
}
