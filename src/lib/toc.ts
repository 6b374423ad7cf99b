/**
 * Marks the table-of-contents entry of the section being read with
 * aria-current, using one IntersectionObserver over the section headings.
 */
export function trackTocPosition(): void {
  const links = [...document.querySelectorAll<HTMLAnchorElement>('[data-toc] a')];
  if (links.length === 0 || !('IntersectionObserver' in window)) return;

  const headings = [...new Set(links.map((a) => decodeURIComponent(a.hash.slice(1))))]
    .map((id) => document.getElementById(id))
    .filter((el): el is HTMLElement => el !== null);
  const visible = new Set<Element>();

  const mark = () => {
    // The current section is the last heading above the top third of the viewport.
    const limit = window.innerHeight / 3;
    let current: HTMLElement | undefined;
    for (const heading of headings) {
      if (heading.getBoundingClientRect().top <= limit) current = heading;
    }
    for (const link of links) {
      if (current && link.hash === `#${encodeURIComponent(current.id)}`) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
  };

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) visible.add(entry.target);
      else visible.delete(entry.target);
    }
    mark();
  });
  headings.forEach((heading) => observer.observe(heading));
}
