/**
 * Display maths and tables scroll sideways inside their own box on narrow
 * screens. A box that actually overflows gets tabindex="0" so keyboard users
 * can scroll it too (WCAG 2.1.1); one that fits stays out of the tab order.
 */
export function makeScrollBoxesFocusable(root: ParentNode = document): void {
  const boxes = [...root.querySelectorAll<HTMLElement>('.katex-display, .table-scroll')];
  const update = () => {
    for (const box of boxes) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        if (!box.hasAttribute('aria-label')) {
          box.setAttribute('role', 'group');
          box.setAttribute('aria-label', box.classList.contains('table-scroll') ? 'Table, scrolls sideways' : 'Formula, scrolls sideways');
        }
      } else if (box.tabIndex === 0) {
        box.removeAttribute('tabindex');
        box.removeAttribute('role');
        box.removeAttribute('aria-label');
      }
    }
  };
  update();
  if ('ResizeObserver' in window) new ResizeObserver(update).observe(document.documentElement);
}
