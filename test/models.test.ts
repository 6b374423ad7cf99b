import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const MODELS = join(import.meta.dirname, '..', 'public', 'models');

/** A fetch that serves public/models/ as the site does, and counts what it was asked for; `fail` answers 503 for a URL the first time. */
function serve(fail?: string) {
  const asked: string[] = [];
  let failed = false;
  const fetch = vi.fn(async (url: string) => {
    asked.push(url);
    if (url === fail && !failed) {
      failed = true;
      return new Response(null, { status: 503 });
    }
    return new Response(readFileSync(join(MODELS, url.replace('/models/', ''))));
  });
  vi.stubGlobal('fetch', fetch);
  return asked;
}

// Each test starts with a page that has loaded nothing.
beforeEach(() => vi.resetModules());
afterEach(() => vi.unstubAllGlobals());

describe('the page’s models', () => {
  it('fetch the decoder’s files once for its final weights and every snapshot', async () => {
    const asked = serve();
    const { pageModel, pageSnapshot } = await import('../src/lib/models');
    const [final, first, again] = await Promise.all([pageModel('decoder'), pageSnapshot('decoder', 0), pageSnapshot('decoder', 0)]);
    const last = await pageSnapshot('decoder', 11);
    expect(asked.sort()).toEqual(['/models/decoder.bin', '/models/decoder.json']);
    expect(again).toBe(first);
    expect(await pageModel('decoder')).toBe(final);
    // Snapshot 0 is the model before training; the last snapshot is the final weights at 8 bits.
    const wq = (m: typeof final) => m.params.get('layer0.self.wq').value;
    expect(wq(first)).not.toEqual(wq(final));
    const gap = wq(last).reduce((max, w, i) => Math.max(max, Math.abs(w - wq(final)[i]!)), 0);
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(0.05);
  });

  it('say which snapshots exist', async () => {
    serve();
    const { pageSnapshot } = await import('../src/lib/models');
    await expect(pageSnapshot('decoder', 12)).rejects.toThrow(/snapshots 0 to 11/);
  });

  it('forget a failed download, so the next request tries again', async () => {
    const asked = serve('/models/decoder.bin');
    const { pageModel, pageSnapshot } = await import('../src/lib/models');
    await expect(pageSnapshot('decoder', 3)).rejects.toThrow('/models/decoder.bin answered 503');
    const model = await pageModel('decoder');
    expect(model.manifest.name).toBe('decoder');
    expect(asked.filter((url) => url.endsWith('.bin'))).toHaveLength(2);
  });
});
