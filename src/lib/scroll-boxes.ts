/**
 * Display maths and tables scroll sideways inside their own box on narrow
 * screens. A box that actually overflows gets tabindex="0" so keyboard users
 * can scroll it too (WCAG 2.1.1); one that fits stays out of the tab order.
 * A ResizeObserver reports each box once the browser lays it out, so boxes in
 * sections not yet drawn cost nothing at load.
 */
export function makeScrollBoxesFocusable(root: ParentNode = document): void {
  if (!('ResizeObserver' in window)) return;
  const update = (box: HTMLElement) => {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute('role', 'group');
      box.setAttribute('aria-label', box.classList.contains('table-scroll') ? 'Table, scrolls sideways' : 'Formula, scrolls sideways');
    } else if (box.hasAttribute('tabindex')) {
      box.removeAttribute('tabindex');
      box.removeAttribute('role');
      box.removeAttribute('aria-label');
    }
  };
  const observer = new ResizeObserver((entries) => entries.forEach((entry) => update(entry.target as HTMLElement)));
  root.querySelectorAll<HTMLElement>('.katex-display, .table-scroll').forEach((box) => observer.observe(box));
}
