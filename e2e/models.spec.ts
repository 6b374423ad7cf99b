import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const heads = JSON.parse(readFileSync('public/models/heads.json', 'utf8')) as {
  decoder: { heads: unknown[] };
  translator: { heads: unknown[] };
  targets: Array<{ what: string; met: boolean }>;
};
const manifest = (name: string) => JSON.parse(readFileSync(`public/models/${name}.json`, 'utf8')) as { file: string; bytes: number };

test('the models page lists every head with its measured role, and every word the models know', async ({ page }) => {
  await page.goto('/models/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The models behind the demos');
  const decoder = page.getByRole('region', { name: 'What each head of the decoder model does' });
  await expect(decoder.locator('tbody tr')).toHaveCount(heads.decoder.heads.length);
  const translator = page.getByRole('region', { name: 'What each head of the translator model does' });
  await expect(translator.locator('tbody tr')).toHaveCount(heads.translator.heads.length);
  const english = page.locator('#vocabulary-en + dl');
  await expect(english).toContainText('cat');
  await expect(english).not.toContainText('<unk>');
  await expect(page.locator('#vocabulary-fr + dl')).toContainText('chat');
});

test('the models page says which targets the shipped models miss, and why', async ({ page }) => {
  await page.goto('/models/');
  const unmet = heads.targets.filter((t) => !t.met);
  const rows = page.getByRole('region', { name: 'What the models were asked to learn, and what they did' }).locator('tbody tr');
  await expect(rows).toHaveCount(heads.targets.length);
  await expect(rows.filter({ hasText: /no$/ })).toHaveCount(unmet.length);
  const reasons = page.locator('[data-unmet] li');
  await expect(reasons).toHaveCount(unmet.length);
  for (const [i, target] of unmet.entries()) {
    await expect(reasons.nth(i)).toContainText(`Not met: ${target.what}. Why:`);
    await expect(reasons.nth(i)).toContainText('packages/models/experiments/README.md');
  }
});

test('the model files are served from the site itself, whole', async ({ request }) => {
  for (const name of ['decoder', 'translator']) {
    const json = await request.get(`/models/${name}.json`);
    expect(json.ok()).toBe(true);
    const { file, bytes } = manifest(name);
    const bin = await request.get(`/models/${file}`);
    expect(bin.ok()).toBe(true);
    expect((await bin.body()).length).toBe(bytes);
  }
  expect((await request.get('/models/heads.json')).ok()).toBe(true);
});

test('the footer links to the models page from every chapter', async ({ page }) => {
  await page.goto('/chapters/what-attention-does/');
  await page.locator('.site-footer').getByRole('link', { name: 'The models behind the demos' }).click();
  await expect(page).toHaveURL(/\/models\/$/);
});

test.describe('trying the models', () => {
  test('reads the default sentence without JavaScript, computed at build time', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/models/');
    await expect(page.locator('[data-words] .word')).toHaveCount(11);
    await expect(page.locator('[data-french]')).toHaveText("le chat s'est assis sur le tapis car il était fatigué .");
    await expect(page.locator('[data-next] tbody tr')).toHaveCount(5);
    await context.close();
  });

  test('runs in the browser: marks unknown words, says which backend ran, and keeps the last reading on empty input', async ({ page }) => {
    await page.goto('/models/');
    await page.locator('#try-text').scrollIntoViewIfNeeded();
    await expect(page.locator('form[data-hydrated]')).toHaveCount(1);
    const input = page.getByLabel('A sentence in English');
    await input.fill('the zebra sat on the box because it was wet .');
    // Generous: on a software WebGPU adapter each decoding step is many small GPU calls.
    await expect(page.locator('[data-words] .unknown')).toHaveText([/^zebra\s*\(unknown word\)$/], { timeout: 60_000 });
    await expect(page.locator('[data-unknown-note]')).toContainText('1 word is not in the models’ vocabulary');
    const status = page.locator('#try-status');
    await expect(status).toHaveAttribute('data-compute-target', /^(webgpu|cpu)$/);
    await expect(status).toContainText(/Computed in your browser on (WebGPU|the CPU)/);
    await expect(page.locator('[data-french]')).toContainText('boîte');
    const shown = await page.locator('[data-french]').textContent();

    await input.fill('   ');
    await page.getByRole('button', { name: 'Read it' }).click();
    await expect(page.getByRole('alert')).toHaveText('Type a sentence first: there are no words to read.');
    await expect(page.locator('[data-french]')).toHaveText(shown!);

    await input.fill('the cat sat on the mat . '.repeat(12));
    await expect(page.locator('[data-cut-note]')).toContainText('this text has 84, so it stops after');
    await expect(page.locator('#try-message')).toBeEmpty();
  });

  test('shows the same probabilities on WebGPU and with the CPU forced', async ({ browser }) => {
    const read = async (forceCpu: boolean) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      if (forceCpu) await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
      await page.goto('/models/');
      await page.locator('#try-text').scrollIntoViewIfNeeded();
      await expect(page.locator('form[data-hydrated]')).toHaveCount(1);
      await page.getByLabel('A sentence in English').fill('tom met anna and');
      const status = page.locator('#try-status');
      await expect(status).toHaveAttribute('data-compute-target', forceCpu ? 'cpu' : /^(webgpu|cpu)$/, { timeout: 60_000 });
      await expect(page.locator('[data-words] .word')).toHaveCount(4);
      const rows = await page.locator('[data-next] tbody tr').allTextContents();
      const backend = await status.getAttribute('data-compute-target');
      await context.close();
      return { rows, backend };
    };
    const gpu = await read(false);
    const cpu = await read(true);
    expect(cpu.backend).toBe('cpu');
    expect(gpu.rows).toEqual(cpu.rows);
    // The model has learned the copy: after "tom met anna and" comes "anna".
    expect(cpu.rows[0]).toMatch(/^anna/);
  });
});
