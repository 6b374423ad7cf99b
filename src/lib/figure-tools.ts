/**
 * The controls under every demo's figure: copy a link to the view on screen,
 * copy the code that embeds it in another page, and export the figure as
 * SVG or PNG and its numbers as CSV or JSON. They are built by this script
 * (a reader without JavaScript has no view to share), from what the demo's
 * root element says: `data-share` holds its state as link parameters.
 * On a demo's embed page the same bar offers the guide's link instead of
 * the embed code. The export code loads only when an export is asked for.
 */
import { messageOf } from './engine';
import { chapterLink, embedPath, FIGURE_ANCHOR_PREFIX } from './share';

/**
 * What the controls need to know of a demo. The page's script does not
 * import the list of demos: the figure's id is `demo-<id>` and its
 * `data-demo` the title; the chapter is the page's own (or, on an embed
 * page, the one its attribution links to).
 */
export interface DemoFacts {
  id: string;
  title: string;
  chapter: string;
  /** A frame's first height, before the demo reports its own. */
  height: number;
}

/** Room for the embed page's margins and attribution line below the demo. */
const EMBED_CHROME = 48;

export function factsOf(figure: HTMLElement): DemoFacts | undefined {
  const id = figure.id.startsWith(FIGURE_ANCHOR_PREFIX) ? figure.id.slice(FIGURE_ANCHOR_PREFIX.length) : '';
  const title = figure.dataset['demo'];
  const home = document.querySelector<HTMLAnchorElement>('[data-attribution]')?.pathname ?? location.pathname;
  const chapter = /^\/chapters\/([a-z0-9-]+)\//.exec(home)?.[1];
  const demo = figure.querySelector('.demo');
  const height = Math.ceil((demo ?? figure).getBoundingClientRect().height) + EMBED_CHROME;
  return id && title && chapter ? { id, title, chapter, height } : undefined;
}

/** The state of the demo in `figure`, as `name=value&…` (empty before it hydrates: the build's state is the default). */
export function shareOf(figure: HTMLElement): string {
  return figure.querySelector<HTMLElement>('[data-share]')?.dataset['share'] ?? '';
}

/** The URL of the demo's embed page in the state on screen. */
export function embedUrl(demo: DemoFacts, share: string, origin = location.origin): string {
  return `${origin}${embedPath(demo.id)}${share ? `?${share}` : ''}`;
}

const escapeAttribute = (text: string) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

/** The host page's snippet: the frame, and the script that lets it take its content's height. */
export function embedCode(demo: DemoFacts, share: string, origin = location.origin): string {
  return (
    `<iframe src="${escapeAttribute(embedUrl(demo, share, origin))}" title="${escapeAttribute(demo.title)}" ` +
    `width="100%" height="${demo.height}" style="border:0;max-width:100%" loading="lazy" data-attention-demo></iframe>\n` +
    `<script src="${origin}/embed/resize.js" async></script>`
  );
}

/** The read-only field, hidden until needed, in which copy() shows its text where the clipboard is refused. */
export function copyField(label: string): HTMLTextAreaElement {
  const field = document.createElement('textarea');
  field.readOnly = true;
  field.hidden = true;
  field.setAttribute('aria-label', label);
  return field;
}

/** Puts `text` on the clipboard; where that is refused, shows it selected in `field` (from copyField) for the reader to copy. */
export async function copy(text: string, field: HTMLTextAreaElement, status: HTMLElement, what: string): Promise<void> {
  field.value = text;
  try {
    await navigator.clipboard.writeText(text);
    field.hidden = true;
    status.textContent = `${what} copied.`;
  } catch {
    field.hidden = false;
    field.focus();
    field.select();
    status.textContent = `${what} selected: press Ctrl+C (⌘C on a Mac) to copy it.`;
  }
}

function button(label: string, name: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.dataset['tool'] = name;
  return b;
}

function addTools(figure: HTMLElement, embedded: boolean): void {
  const demo = factsOf(figure);
  if (!demo || figure.querySelector('[data-figure-tools]')) return;
  const bar = document.createElement('div');
  bar.className = 'figure-tools no-print';
  bar.dataset['figureTools'] = '';
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', `Share or export “${demo.title}”`);

  const status = document.createElement('p');
  status.className = 'figure-tools__status';
  status.setAttribute('role', 'status');
  status.dataset['toolsStatus'] = '';
  const field = copyField('Text to copy');
  field.rows = 3;
  field.className = 'figure-tools__text';
  field.dataset['toolsText'] = '';

  const buttons: HTMLElement[] = [];
  if (embedded) {
    // The frame's own page: the way back to the guide, in the same state.
    const open = document.createElement('a');
    open.textContent = 'Open in the guide';
    open.target = '_blank';
    open.rel = 'noopener';
    open.dataset['tool'] = 'open';
    const update = () => (open.href = chapterLink(demo, shareOf(figure), location.origin));
    update();
    open.addEventListener('pointerenter', update);
    open.addEventListener('focus', update);
    open.addEventListener('click', update);
    buttons.push(open);
  } else {
    const link = button('Copy link', 'link');
    link.addEventListener('click', () => void copy(chapterLink(demo, shareOf(figure), location.origin), field, status, 'Link to this view'));
    const embed = button('Copy embed code', 'embed');
    // The frame starts at the demo's height on screen now, until it reports its own.
    embed.addEventListener('click', () => void copy(embedCode(factsOf(figure) ?? demo, shareOf(figure)), field, status, 'Embed code'));
    buttons.push(link, embed);
  }

  const exports = document.createElement('span');
  exports.className = 'figure-tools__export';
  const label = document.createElement('span');
  label.textContent = 'Export:';
  label.className = 'figure-tools__label';
  exports.append(label);
  for (const [format, title] of [
    ['svg', 'SVG'],
    ['png', 'PNG'],
    ['csv', 'CSV'],
    ['json', 'JSON'],
  ] as const) {
    const b = button(title, `export-${format}`);
    b.setAttribute('aria-label', `Export as ${title}`);
    b.addEventListener('click', () => {
      status.textContent = '';
      field.hidden = true;
      import('./export-figure')
        .then(({ exportFigure }) => exportFigure(figure, demo, format))
        .then((saved) => (status.textContent = saved))
        .catch((error: unknown) => (status.textContent = `Could not export: ${messageOf(error)}`));
    });
    exports.append(b);
  }
  bar.append(...buttons, exports, status, field);
  const caption = figure.querySelector(':scope > figcaption');
  figure.insertBefore(bar, caption);
}

/** Adds the controls to every demo's figure on the page. */
export function addFigureTools(): void {
  const embedded = document.documentElement.dataset['embed'] !== undefined;
  for (const figure of document.querySelectorAll<HTMLElement>(`figure[id^="${FIGURE_ANCHOR_PREFIX}"][data-demo]`)) addTools(figure, embedded);
}
