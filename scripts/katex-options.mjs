// KaTeX settings shared by the site build and scripts/check-chapter.mjs.
// strict: 'error' turns KaTeX's warnings (Unicode in maths, LaTeX it only
// half supports) into failures rather than silently odd output.
/** @type {import('katex').KatexOptions} */
export const katexOptions = { strict: 'error', output: 'htmlAndMathml' };
