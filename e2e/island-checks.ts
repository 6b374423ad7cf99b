import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

/** How long the model may take to load and run in the browser (a software WebGPU adapter is slow). */
export const MODEL_READY = { timeout: 60_000 };

/** Waits until the island has computed in the browser; the backend it names (webgpu or cpu). */
export async function ready(island: Locator): Promise<string> {
  const status = island.locator('[data-compute-target]');
  await expect(status).toHaveAttribute('data-compute-target', /^(webgpu|cpu)$/, MODEL_READY);
  return (await status.getAttribute('data-compute-target'))!;
}

/** Neither the page nor the island is wider than the viewport. */
export async function expectNoOverflow(page: Page, island: Locator): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  const box = await island.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(widths.viewport);
}

/** axe finds no WCAG 2.2 A or AA violation inside `selector` (the tags every-page.spec checks whole pages with). */
export async function expectAccessible(page: Page, selector: string): Promise<void> {
  const results = await new AxeBuilder({ page }).include(selector).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}
