/**
 * The tiled pass's first state, computed at build time by the engine on the
 * CPU: for its figure (FlashTiles.astro) and its custom element
 * (/embed/flash-tiles/props.json).
 */
import { createEngine } from '@attention-guide/attention';
import { DEFAULT_SETTING, finalOutputs } from './tiles';

export async function props() {
  const engine = await createEngine({ prefer: 'cpu' });
  const initial = await finalOutputs(engine, DEFAULT_SETTING);
  engine.dispose();
  return { initial };
}
