/**
 * A demo's figure as a file: its drawings as one SVG (or that SVG drawn to
 * a PNG) at their size on screen, with the page's colours written into each
 * element so the file looks the same outside the page; and its numbers,
 * every table the demo holds (exact values where a cell carries them in
 * `data-value`), as CSV or JSON with the demo's settings and backend.
 */
import { shareOf, type DemoFacts } from './figure-tools';
import { chapterLink } from './share';

export type ExportFormat = 'svg' | 'png' | 'csv' | 'json';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The presentation properties a drawing needs to look the same without the page's style sheets. */
const PAINT = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'paint-order',
  'vector-effect',
  'visibility',
] as const;

/** The demo's root element in its figure: the island once hydrated, its server-rendered frame before. */
const demoRoot = (figure: HTMLElement): Element => figure.querySelector('[data-hydrated]') ?? figure.querySelector('.demo') ?? figure;

/** The drawings a reader sees: outermost SVGs with an area, in document order. */
function drawings(root: Element): SVGSVGElement[] {
  return [...root.querySelectorAll<SVGSVGElement>('svg')].filter((svg) => {
    if (svg.parentElement?.closest('svg')) return false;
    const box = svg.getBoundingClientRect();
    return box.width >= 16 && box.height >= 16 && getComputedStyle(svg).visibility !== 'hidden';
  });
}

/** A copy of `svg` with each element's computed paint written as attributes. */
function paintedCopy(svg: SVGSVGElement): SVGSVGElement {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll('*')];
  const copies = [copy, ...copy.querySelectorAll('*')];
  originals.forEach((original, i) => {
    const target = copies[i]!;
    const style = getComputedStyle(original);
    if (style.display === 'none') {
      target.setAttribute('display', 'none');
      return;
    }
    for (const name of PAINT) {
      const value = style.getPropertyValue(name);
      if (value) target.setAttribute(name, value);
    }
    // Class names mean nothing in the file, and the style attribute's variables would not resolve.
    target.removeAttribute('class');
    target.removeAttribute('style');
  });
  return copy;
}

/** One line of the page's text beside a drawing, where it is on screen. */
interface TextLine {
  text: string;
  box: DOMRect;
  style: CSSStyleDeclaration;
}

/** Text in controls is the page's, not the figure's. */
const NOT_FIGURE_TEXT = 'svg, button, select, option, textarea, input, summary, label, legend, table, .sr-only, [data-share-notice]';

/**
 * The text laid out around the drawings (titles, axis labels, readouts in
 * the same box as an SVG), line by line as the browser wrapped it, so the
 * file keeps it as text at the same places.
 */
function textLines(containers: readonly Element[]): TextLine[] {
  const lines: TextLine[] = [];
  for (const container of containers) {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !node.textContent?.trim() || parent.closest(NOT_FIGURE_TEXT)) continue;
      if (!parent.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const style = getComputedStyle(parent);
      // Word by word, so a wrapped paragraph becomes one text element per line.
      const range = document.createRange();
      let line: TextLine | undefined;
      for (const match of node.textContent.matchAll(/\S+/g)) {
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const box = range.getBoundingClientRect();
        if (box.width < 1 || box.height < 1) continue;
        if (line && Math.abs(line.box.top - box.top) < box.height / 2) {
          line.text += ` ${match[0]}`;
          line.box = new DOMRect(line.box.left, line.box.top, box.right - line.box.left, line.box.height);
        } else {
          line = { text: match[0], box, style };
          lines.push(line);
        }
      }
    }
  }
  return lines;
}

function textElement(line: TextLine, left: number, top: number): SVGTextElement {
  const text = document.createElementNS(SVG_NS, 'text');
  const size = parseFloat(line.style.fontSize) || 16;
  text.setAttribute('x', (line.box.left - left).toFixed(1));
  // The line box holds the font's ascent and descent; its baseline sits about four fifths of the way down.
  text.setAttribute('y', (line.box.top - top + (line.box.height + size * 0.7) / 2).toFixed(1));
  text.setAttribute('fill', line.style.color);
  text.setAttribute('font-family', line.style.fontFamily);
  text.setAttribute('font-size', `${size}px`);
  text.setAttribute('font-weight', line.style.fontWeight);
  if (line.style.fontStyle !== 'normal') text.setAttribute('font-style', line.style.fontStyle);
  text.textContent = line.text;
  return text;
}

/** The outermost of `elements`: those inside another one are left out. */
const outermost = (elements: Element[]) => [...new Set(elements)].filter((el, _, all) => !all.some((other) => other !== el && other.contains(el)));

/**
 * All the figure's drawings in one SVG, placed as they are laid out, with the
 * text that shares their boxes, on the demo's background.
 */
export function figureSvg(figure: HTMLElement): { svg: string; width: number; height: number } | undefined {
  const root = demoRoot(figure);
  const parts = drawings(root);
  if (parts.length === 0) return undefined;
  const boxes = parts.map((svg) => svg.getBoundingClientRect());
  const lines = textLines(outermost(parts.map((svg) => (svg.parentElement && svg.parentElement !== root ? svg.parentElement : svg))));
  const all = [...boxes, ...lines.map((l) => l.box)];
  const left = Math.floor(Math.min(...all.map((b) => b.left)));
  const top = Math.floor(Math.min(...all.map((b) => b.top)));
  const width = Math.ceil(Math.max(...all.map((b) => b.right)) - left);
  const height = Math.ceil(Math.max(...all.map((b) => b.bottom)) - top);
  const out = document.createElementNS(SVG_NS, 'svg');
  out.setAttribute('xmlns', SVG_NS);
  out.setAttribute('width', String(width));
  out.setAttribute('height', String(height));
  out.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const title = document.createElementNS(SVG_NS, 'title');
  title.textContent = figure.dataset['demo'] ?? 'Figure';
  const background = document.createElementNS(SVG_NS, 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', getComputedStyle(root).backgroundColor);
  out.append(title, background);
  parts.forEach((svg, i) => {
    const copy = paintedCopy(svg);
    const box = boxes[i]!;
    copy.setAttribute('x', String(box.left - left));
    copy.setAttribute('y', String(box.top - top));
    copy.setAttribute('width', String(box.width));
    copy.setAttribute('height', String(box.height));
    out.append(copy);
  });
  for (const line of lines) out.append(textElement(line, left, top));
  return { svg: new XMLSerializer().serializeToString(out), width, height };
}

/** The SVG drawn on a canvas at the screen's pixel density, as a PNG. */
async function pngOf(svg: string, width: number, height: number): Promise<Blob> {
  const scale = Math.max(1, Math.round(window.devicePixelRatio || 1));
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image(width, height);
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width * scale;
    canvas.height = height * scale;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('this browser cannot draw to a canvas');
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the PNG could not be encoded'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

export interface FigureTable {
  caption: string;
  rows: string[][];
}

/**
 * A demo whose numbers are not in tables (a list of books, say) sets this
 * property on its root element to give them as tables for export.
 */
export interface ExportsTables {
  figureTables?: () => FigureTable[];
}

/** Every table in the demo, row by row; a cell's `data-value` (the exact number) wins over its text. */
export function figureTables(figure: HTMLElement): FigureTable[] {
  const root = demoRoot(figure);
  const provided = (root as Element & ExportsTables).figureTables;
  if (provided) return provided();
  return [...root.querySelectorAll('table')].map((table, i) => ({
    caption: (table.caption?.textContent ?? table.getAttribute('aria-label') ?? `Table ${i + 1}`).replace(/\s+/g, ' ').trim(),
    rows: [...table.rows].map((row) =>
      [...row.cells].map((cell) => {
        const exact = cell.dataset['value'] ?? cell.querySelector<HTMLElement>('[data-value]')?.dataset['value'];
        return exact ?? (cell.textContent ?? '').replace(/\s+/g, ' ').trim();
      }),
    ),
  }));
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
const csvField = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

export function tablesCsv(tables: readonly FigureTable[]): string {
  return tables.map((t) => [[t.caption], ...t.rows].map((row) => row.map(csvField).join(',')).join('\r\n')).join('\r\n\r\n') + '\r\n';
}

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves the figure in `format`; resolves to what the status line should say. */
export async function exportFigure(figure: HTMLElement, demo: DemoFacts, format: ExportFormat): Promise<string> {
  const name = `attention-${demo.id}`;
  if (format === 'svg' || format === 'png') {
    const drawn = figureSvg(figure);
    if (!drawn) return 'This figure has no drawing to export; its numbers export as CSV or JSON.';
    const size = `${drawn.width} × ${drawn.height} px`;
    if (format === 'svg') {
      save(new Blob([drawn.svg], { type: 'image/svg+xml' }), `${name}.svg`);
      return `Saved ${name}.svg (${size}).`;
    }
    save(await pngOf(drawn.svg, drawn.width, drawn.height), `${name}.png`);
    return `Saved ${name}.png (${size} at the screen’s density).`;
  }
  const tables = figureTables(figure);
  if (tables.length === 0) return 'This figure has no table of numbers to export.';
  if (format === 'csv') {
    save(new Blob([tablesCsv(tables)], { type: 'text/csv' }), `${name}.csv`);
    return `Saved ${name}.csv (${tables.length} ${tables.length === 1 ? 'table' : 'tables'}).`;
  }
  const share = shareOf(figure);
  const json = {
    demo: demo.id,
    title: demo.title,
    link: chapterLink(demo, share, location.origin),
    settings: Object.fromEntries(new URLSearchParams(share)),
    computedOn: figure.querySelector('[data-compute-target]')?.getAttribute('data-compute-target') ?? 'static',
    tables,
  };
  save(new Blob([JSON.stringify(json, null, 2)], { type: 'application/json' }), `${name}.json`);
  return `Saved ${name}.json (${tables.length} ${tables.length === 1 ? 'table' : 'tables'}).`;
}
