// rehype-katex reports maths it cannot typeset as a message and renders the
// source in red. A guide must not ship that, so this plugin, run right after
// rehype-katex, turns any such message into a build error naming the place.

/** @returns {(tree: unknown, file: import('vfile').VFile) => void} */
export default function rehypeKatexStrict() {
  return (_tree, file) => {
    const problems = file.messages.filter((m) => m.source === 'rehype-katex');
    if (problems.length === 0) return;
    const lines = problems.map((m) => `  ${file.path ?? ''}:${m.line ?? '?'}:${m.column ?? '?'} ${m.cause instanceof Error ? m.cause.message : m.reason}`);
    throw new Error(`KaTeX could not typeset ${problems.length} formula(s):\n${lines.join('\n')}`);
  };
}
