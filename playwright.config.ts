// Playwright drives the BUILT app (run `npx vite build` first) in headless Chromium, served by `vite preview`.
// Two projects: WebGPU (Chromium's software SwiftShader adapter) and WASM forced by `?backend=wasm`.
import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'
import type { TestOptions } from './e2e/fixtures.ts'

const PORT = 4173

/** Offline machines have no Playwright browser download: use Debian's Chromium when present (scripts/ensure-chromium.sh). */
const chromium = process.env.MONOSCOPE_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)

export default defineConfig<TestOptions>({
  testDir: 'e2e',
  globalSetup: './e2e/globalSetup.ts',
  // SwiftShader runs WebGPU on the CPU (~1 GFLOP/s) and these machines have 2 cores: one test at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 480_000,
  expect: { timeout: 30_000 },
  retries: 0,
  forbidOnly: !!process.env.CI,
  // json feeds scripts/test-summary.mjs's closing line; html keeps the screenshots each test attaches.
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }], ['json', { outputFile: '.cache/playwright-report.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--enable-unsafe-webgpu',
      ],
    },
  },
  projects: [
    {
      // 'auto' must pick WebGPU first: this proves the default order as well as the WebGPU kernels.
      name: 'webgpu',
      testMatch: ['shell.spec.ts', 'trainingWebgpu.spec.ts'],
      use: { backend: 'auto', expectedBackend: 'webgpu' },
    },
    {
      name: 'wasm',
      testIgnore: 'trainingWebgpu.spec.ts',
      use: { backend: 'wasm', expectedBackend: 'wasm' },
    },
  ],
  webServer: {
    // Started through node so the server dies with the test run; preview serves dist/ with COOP/COEP (vite.config.ts).
    command: `node node_modules/vite/bin/vite.js preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
})
