// What the islands' latency benchmarks run inside the page: the probe that
// times each input to the figure it produces, and the sentence a text box is
// given. `npm run bench:islands` passes these functions to Playwright's
// evaluate (so each must be self-contained: no names from this module);
// scripts/gpu-browser/page.mjs, which runs where there is no Node, imports
// them. An island marks each figure it puts on screen by incrementing
// `data-renders` on its root.

/** The two sentences a text box is given in turn (the head gallery, the token explorer). */
export const SENTENCES = ['the cat sat on the mat because it was tired .', 'tom met anna and anna thanked tom .'];

/**
 * A new sentence in an island's text box, submitted as Enter does, so the model runs at once (typing
 * waits 150 ms for a pause first). The input event is what typing sends: the island reads its bound
 * text, which nothing else updates, and the probe's clock starts there. The submit follows in the same
 * task, so no round trip to the driver is timed.
 * @param {Element} el the text box
 * @param {string} text
 */
export function submitSentence(el, text) {
  const box = /** @type {HTMLInputElement} */ (el);
  box.value = text;
  box.dispatchEvent(new Event('input', { bubbles: true }));
  box.form?.requestSubmit();
}

/**
 * For each input event on the island, the time until its next render is in
 * the DOM with style and layout done (the work the page does, which the 16 ms
 * target is about), and until the animation frame after it (which adds the
 * wait for the display's next refresh, up to one frame). The probe is
 * `window.__probe`, where the driver reads it (nothing is returned, as
 * Playwright would have to copy it out of the page).
 * @param {string} rootSelector
 */
export function installProbe(rootSelector) {
  const root = /** @type {HTMLElement} */ (document.querySelector(rootSelector));
  const probe = {
    start: 0,
    dom: /** @type {number[]} */ ([]),
    frame: /** @type {number[]} */ ([]),
    /** @type {Array<() => void>} */
    waiting: [],
    /** Resolves once `count` frames have been timed; waits without polling, so it adds no work to the frames it times. */
    until(/** @type {number} */ count) {
      return new Promise((resolve) => {
        const check = () => (probe.frame.length >= count ? resolve(undefined) : probe.waiting.push(check));
        check();
      });
    },
    /** Indices of the interactions that only set the figure up: left out of the figures. */
    skip: /** @type {number[]} */ ([]),
    untimed() {
      probe.skip.push(probe.frame.length - 1);
    },
  };
  // @ts-expect-error a property of the page's window, for the benchmark alone
  window.__probe = probe;
  const mark = (/** @type {Event} */ event) => {
    if (!probe.start) probe.start = event.timeStamp;
  };
  for (const type of ['keydown', 'pointerdown', 'input']) root.addEventListener(type, mark, true);
  new MutationObserver(() => {
    const start = probe.start;
    if (!start) return;
    probe.start = 0;
    root.getBoundingClientRect(); // forces the style and layout of the new figure
    probe.dom.push(performance.now() - start);
    requestAnimationFrame(() => {
      probe.frame.push(performance.now() - start);
      for (const check of probe.waiting.splice(0)) check();
    });
  }).observe(root, { attributes: true, attributeFilter: ['data-renders'] });
}
