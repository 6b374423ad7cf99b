/**
 * The query/key-value heads demo's first state, computed at build time by
 * the engine on the CPU: for its figure (KvHeads.astro) and its custom
 * element (/embed/kv-heads/props.json).
 */
import { createEngine } from '@attention-guide/attention';
import { QUERY_HEADS, kvRun, presetSetting } from './kv';

export async function props() {
  const engine = await createEngine({ prefer: 'cpu' });
  const initialRun = await kvRun(engine, QUERY_HEADS);
  engine.dispose();
  return { initialRun, initialCache: presetSetting('llama2_70b'), initialPreset: 'llama2_70b' as const };
}
