/** The cost-of-n² demo's first state, for its figure (CostN2.astro) and its custom element (/embed/cost-n2/props.json). */
import { DEFAULT_COST } from './cost';

export async function props() {
  return { initial: DEFAULT_COST };
}
