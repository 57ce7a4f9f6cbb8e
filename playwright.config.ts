// Playwright drives the BUILT app (run `npx vite build` first) in headless Chromium, served by `vite preview`.
// Two projects run the same specs: `webgpu` forces `?backend=webgpu` (here Chromium's software SwiftShader adapter,
// which Automatic would skip for WASM) and `wasm` forces `?backend=wasm`. Only trainingWebgpu.spec.ts is webgpu-only
// and scale.spec.ts (GPT-2 small) and onnxFamilies.spec.ts's GPT-NeoX and Gemma 2 tests wasm-only;
// backendSelect.spec.ts's Automatic test runs once, in the webgpu project.
import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'
import type { TestOptions } from './e2e/fixtures.ts'

// MONOSCOPE_E2E_PORT lets two checkouts run their e2e tests side by side (each preview would reuse the other's).
const PORT = Number(process.env.MONOSCOPE_E2E_PORT ?? 4173)

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
      // Forced: Automatic skips a software adapter (backendSelect.spec.ts checks that). SwiftShader runs ~100x slower
      // than WASM, so heavy specs take their smallRuns variant: fewer tokens and steps, the same assertions.
      name: 'webgpu',
      // scale.spec.ts (GPT-2 small, 124M parameters) would take many minutes on the software adapter: WASM only.
      testIgnore: 'scale.spec.ts',
      use: { backend: 'webgpu', expectedBackend: 'webgpu', smallRuns: true },
    },
    {
      name: 'wasm',
      testIgnore: 'trainingWebgpu.spec.ts',
      use: { backend: 'wasm', expectedBackend: 'wasm', smallRuns: false },
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
