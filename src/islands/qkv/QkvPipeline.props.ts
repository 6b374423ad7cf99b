/**
 * The Q-K-V pipeline's first state: the default example run through the
 * engine (the CPU backend, the code the browser's fallback runs) at build
 * time; and the formula typeset with KaTeX, each term wrapped in a class the
 * island highlights. The figure (QkvPipeline.astro) puts the formula in the
 * island's slot as KaTeX's HTML; the custom element (/embed/qkv-pipeline/props.json)
 * gets it as MathML only, which browsers draw without KaTeX's stylesheet and
 * fonts (neither reaches a shadow root), and without the terms' highlighting.
 */
import katex from 'katex';
import { createEngine } from '@attention-guide/attention';
import { katexOptions } from '../../../scripts/katex-options.mjs';
import { DEFAULT_SIZE, defaultInputs, pack, runPipeline } from './pipeline';

export async function props() {
  const engine = await createEngine({ prefer: 'cpu' });
  const packed = pack(await runPipeline(engine, defaultInputs(DEFAULT_SIZE)));
  engine.dispose();
  return { size: DEFAULT_SIZE, packed };
}

/** softmax(QKᵀ/√d_k + M)·V, typeset. */
export function formula(output: 'htmlAndMathml' | 'mathml' = 'htmlAndMathml'): string {
  const typeset = (tex: string) =>
    katex.renderToString(tex, {
      ...katexOptions,
      output,
      displayMode: true,
      // \htmlClass marks a term for the island to highlight; it is the only
      // command of KaTeX's HTML extension trusted, and only with our classes.
      trust: (context) => context.command === '\\htmlClass' && /^term-[a-z]+$/.test(context.class),
      // Strict mode rejects every HTML extension as not LaTeX ("htmlExtension").
      // The classes are this figure's own markup, so that one code is let
      // through; anything else KaTeX would warn about still fails the build.
      strict: (code: string) => (code === 'htmlExtension' ? 'ignore' : 'error'),
    });
  const term = (name: string, tex: string) => String.raw`\htmlClass{term-${name}}{${tex}}`;
  const scaled = term('scaled', String.raw`\frac{${term('scores', `${term('q', 'Q')}${term('k', String.raw`K^\top`)}`)}}{\sqrt{d_k}}`);
  return typeset(String.raw`O = ${term('output', `${term('weights', String.raw`\operatorname{softmax}\!\left(${scaled} ${term('mask', '{} + M')}\right)`)}${term('v', 'V')}`)}`);
}
