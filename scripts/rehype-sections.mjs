// Groups a chapter's top-level content into one <section> per `##` heading
// (and its list of sources), so the stylesheet can let the browser skip the
// layout of sections far off screen (content-visibility: auto). KaTeX makes
// chapters DOM-heavy; without this, laying out a long chapter blocks the main
// thread for hundreds of milliseconds on a phone.

/** @param {any} node */
const isH2 = (node) => node.type === 'element' && node.tagName === 'h2';
/** @param {any} node */
const isFootnotes = (node) => node.type === 'element' && node.tagName === 'section' && 'dataFootnotes' in (node.properties ?? {});

export default function rehypeSections() {
  return (/** @type {any} */ tree) => {
    /** @type {any[]} */
    const out = [];
    /** @type {any} */
    let section = null;
    for (const child of tree.children) {
      if (isFootnotes(child)) {
        child.properties.className = [...(child.properties.className ?? []), 'chapter-section'];
        out.push(child);
        section = null;
      } else if (isH2(child)) {
        section = { type: 'element', tagName: 'section', properties: { className: ['chapter-section'] }, children: [child] };
        out.push(section);
      } else if (section) {
        section.children.push(child);
      } else {
        out.push(child);
      }
    }
    tree.children = out;
  };
}
