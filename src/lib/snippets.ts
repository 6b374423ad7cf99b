/**
 * The embed page's snippets: written at build time with the site's public
 * origin, rewritten here to the origin the page is actually served from (a
 * preview, a mirror), each with a button that copies it.
 */
import { copy, copyField } from './figure-tools';

export function addSnippetCopy(): void {
  const docs = document.querySelector<HTMLElement>('[data-embed-docs]');
  const built = docs?.dataset['origin'];
  for (const code of document.querySelectorAll<HTMLElement>('code[data-snippet]')) {
    if (built && built !== location.origin) code.textContent = (code.textContent ?? '').replaceAll(built, location.origin);
    const pre = code.closest('pre');
    if (!pre) continue;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'snippet-copy';
    button.textContent = 'Copy';
    const status = document.createElement('span');
    status.setAttribute('role', 'status');
    const field = copyField('Snippet to copy');
    button.addEventListener('click', () => void copy(code.textContent ?? '', field, status, 'Snippet'));
    pre.after(button, status, field);
  }
}
