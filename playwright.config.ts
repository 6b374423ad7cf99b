import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

// Playwright cannot download its own browsers on the machines this guide is
// built on, so it drives the system Chromium (Debian's `chromium` package).
// CHROMIUM_PATH points elsewhere; unset and absent, Playwright's own browser
// is used (for authors who ran `npx playwright install chromium`).
const systemChromium = process.env['CHROMIUM_PATH'] ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

// Its own port, so `npm start` on 4321 can keep running while the tests do.
const PORT = Number(process.env['E2E_PORT'] ?? 4322);
const BASE_URL = `http://127.0.0.1:${PORT}`;
// A second origin, for a host page that embeds the demos (scripts/host-server.mjs); e2e/site.ts has the same HOST_URL.
const HOST_PORT = PORT + 1000;
const HOST_URL = `http://127.0.0.1:${HOST_PORT}`;

export default defineConfig({
  testDir: './e2e',
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  // The CI machines have two cores.
  ...(process.env['CI'] ? { workers: 2 } : {}),
  reporter: [['list']],
  timeout: 60_000,
  use: {
    baseURL: BASE_URL,
    trace: 'off',
    launchOptions: {
      ...(systemChromium ? { executablePath: systemChromium } : {}),
      // Without these, Chromium phones home at start and the closed network
      // answers with refused connections.
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
        '--enable-unsafe-webgpu',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  // Playwright owns the preview server, so it is stopped with the run.
  // --ignore-lock lets it start beside an author's own preview server.
  webServer: [
    {
      command: `astro preview --ignore-lock --host 127.0.0.1 --port ${PORT}`,
      url: `${BASE_URL}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { ASTRO_TELEMETRY_DISABLED: '1' },
    },
    {
      command: `node scripts/host-server.mjs ${HOST_PORT}`,
      url: `${HOST_URL}/`,
      reuseExistingServer: false,
      timeout: 20_000,
      env: { SITE_ORIGIN: BASE_URL },
    },
  ],
});
