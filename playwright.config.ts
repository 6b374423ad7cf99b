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
  webServer: {
    command: `astro preview --ignore-lock --host 127.0.0.1 --port ${PORT}`,
    url: `${BASE_URL}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { ASTRO_TELEMETRY_DISABLED: '1' },
  },
});
