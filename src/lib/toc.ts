/**
 * Marks the table-of-contents entry of the section being read with
 * aria-current. The current section is the last heading that has passed the
 * line a third of the way down the viewport; one IntersectionObserver watches
 * for the crossings, so nothing here forces a layout of sections the browser
 * has not drawn yet.
 */
export function trackTocPosition(): void {
  const links = [...document.querySelectorAll<HTMLAnchorElement>('[data-toc] a')];
  if (links.length === 0 || !('IntersectionObserver' in window)) return;

  const headings = [...new Set(links.map((a) => decodeURIComponent(a.hash.slice(1))))]
    .map((id) => document.getElementById(id))
    .filter((el): el is HTMLElement => el !== null);

  const mark = (heading: HTMLElement | undefined) => {
    for (const link of links) {
      if (heading && decodeURIComponent(link.hash.slice(1)) === heading.id) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
  };

  // The observed region is everything above the line a third of the way down
  // the viewport (a huge top margin stretches it upwards), so "intersecting"
  // means "passed the line" and every crossing, however fast the scroll, is
  // reported. A heading in a section not yet drawn reports not passed.
  const passed = new Map<Element, boolean>();
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) passed.set(entry.target, entry.isIntersecting);
      mark(headings.findLast((heading) => passed.get(heading)));
    },
    { rootMargin: '1000000px 0px -66% 0px' },
  );
  headings.forEach((heading) => observer.observe(heading));
}
