/**
 * Marks the table-of-contents entry of the section being read with
 * aria-current. The current section is the last heading that has passed the
 * top third of the viewport; one IntersectionObserver watches that band, so
 * nothing here forces a layout of sections the browser has not drawn yet
 * (a heading in a section not yet drawn has not been passed either).
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

  // Whether each heading has passed the bottom edge of the band, as last reported.
  const passed = new Map<Element, boolean>();
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const bandBottom = entry.rootBounds?.bottom ?? window.innerHeight / 3;
        const box = entry.boundingClientRect;
        passed.set(entry.target, entry.isIntersecting || (box.height > 0 && box.bottom <= bandBottom));
      }
      mark(headings.findLast((heading) => passed.get(heading)));
    },
    { rootMargin: '0px 0px -66% 0px' },
  );
  headings.forEach((heading) => observer.observe(heading));
}
