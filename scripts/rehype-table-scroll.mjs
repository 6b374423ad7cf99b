// Wraps every Markdown table in a box that scrolls sideways on its own, so a
// wide table never widens the page on a phone.

/** @param {any} node */
function visit(node) {
  if (!Array.isArray(node.children)) return;
  node.children = node.children.map((/** @type {any} */ child) => {
    if (child.type === 'element' && child.tagName === 'table') {
      return { type: 'element', tagName: 'div', properties: { className: ['table-scroll'] }, children: [child] };
    }
    visit(child);
    return child;
  });
}

export default function rehypeTableScroll() {
  return (/** @type {any} */ tree) => visit(tree);
}
