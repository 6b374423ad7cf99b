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

/**
 * Makes links within a chapter land on their target. Sections far off screen
 * are skipped by content-visibility and stand in at an estimated height, so a
 * jump computed from those estimates ends short or long once the sections
 * passed on the way are drawn at their real heights (a chapter with tall
 * figures misses by whole screens). Before a jump, and for a page opened at a
 * #fragment, the sections up to the target are drawn for real: their heights
 * are then known, and the browser's own scroll lands on the heading.
 *
 * A figure passed on the way can still change height while a smooth scroll
 * runs, as it hydrates (chapter 5's sparse patterns add their row table), and
 * move the target; so once the scroll ends, it lands on the target again if
 * the target has moved. Any input of the reader's first calls that off, and
 * so does a scroll that ended far from where the jump was going: something
 * else (the scroll bar, a script) took the page elsewhere meanwhile.
 */
export function landInPageLinks(): void {
  const landing = () => parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop) || 0;
  const settle = (target: HTMLElement) => {
    const done = new AbortController();
    const { signal } = done;
    for (const type of ['wheel', 'touchstart', 'keydown', 'pointerdown']) addEventListener(type, () => done.abort(), { signal, passive: true });
    setTimeout(() => done.abort(), 5000);
    const bottom = document.documentElement.scrollHeight - innerHeight;
    const destination = Math.min(Math.max(scrollY + target.getBoundingClientRect().top - landing(), 0), bottom);
    addEventListener(
      'scrollend',
      () => {
        done.abort();
        if (Math.abs(scrollY - destination) > innerHeight / 2) return;
        if (Math.abs(target.getBoundingClientRect().top - landing()) > 2) target.scrollIntoView();
      },
      { signal },
    );
  };
  const drawUpTo = (id: string): HTMLElement | null => {
    const target = document.getElementById(id);
    const section = target?.closest('.chapter-section');
    if (!target || !section) return null;
    for (const s of document.querySelectorAll<HTMLElement>('.chapter-section')) {
      s.classList.add('drawn');
      if (s === section) break;
    }
    return target;
  };
  document.addEventListener(
    'click',
    (event) => {
      const link = (event.target as Element | null)?.closest?.('a[href^="#"]');
      const target = link && drawUpTo(decodeURIComponent(link.getAttribute('href')!.slice(1)));
      if (target) settle(target);
    },
    { capture: true },
  );
  const target = location.hash ? drawUpTo(decodeURIComponent(location.hash.slice(1))) : null;
  if (target) {
    target.scrollIntoView();
    settle(target);
  }
}
