// A second origin for the embed tests and benchmarks: a plain static server
// for e2e/host/, standing in for a teacher's own page on another site. Each
// page's `__SITE__` is replaced by the guide's origin (SITE_ORIGIN), so the
// host pages can point at whatever port the guide is previewed on.
//   node scripts/host-server.mjs <port>   (SITE_ORIGIN=http://127.0.0.1:4322)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', 'e2e', 'host');
const port = Number(process.argv[2] ?? process.env['HOST_PORT'] ?? 4400);
const site = process.env['SITE_ORIGIN'] ?? 'http://127.0.0.1:4322';
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

createServer(async (request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname)).replace(/^(\.\.[/\\])+/, '');
  const file = join(ROOT, path.endsWith('/') ? `${path}index.html` : path);
  if (!file.startsWith(ROOT)) {
    response.writeHead(403).end();
    return;
  }
  try {
    const type = TYPES[/** @type {keyof typeof TYPES} */ (extname(file))] ?? 'application/octet-stream';
    const body = (await readFile(file, 'utf8')).replaceAll('__SITE__', site);
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}).listen(port, '127.0.0.1', () => console.log(`host pages on http://127.0.0.1:${port}/ for ${site}`));
