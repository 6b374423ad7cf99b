/**
 * An embed page's side of resizing: it posts its content's height to the
 * page that framed it, now and whenever the content changes size, as
 * `{ type: 'attention-guide:height', demo, height }`. The host page's
 * script (public/embed/resize.js) sets the frame's height from it.
 */
export const HEIGHT_MESSAGE = 'attention-guide:height';

export function reportHeight(): void {
  if (window.parent === window) return;
  const demo = document.documentElement.dataset['embed'] ?? '';
  let last = 0;
  const post = () => {
    // The body's own height, not the viewport's: the frame's size must not feed back into what it reports.
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: HEIGHT_MESSAGE, demo, height }, '*');
  };
  new ResizeObserver(post).observe(document.body);
  post();
}
