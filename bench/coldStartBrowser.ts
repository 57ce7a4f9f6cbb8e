// One cold start of the built app in headless Chromium: a fresh browser (empty cache, no compiled-code cache) opens
// a feature's dashboard URL, and we time navigation → its top examples visible, and → the model loaded.
// Loaded only by the cold-start suite, so other suites never pull in Playwright.
import { chromium, type LaunchOptions } from '@playwright/test'
import { LOAD_TIMEOUT, MonoscopeApp, type BackendParam } from '../e2e/fixtures.ts'
import playwrightConfig from '../playwright.config.ts'
import { hrefs } from '../src/ui/router/hashRoute.ts'

/** Between visibility checks: each is one round trip to the page, so finer would load a busy 2-core machine. */
const POLL_MS = 25

export interface ColdStartSample {
  /** Navigation start → the dashboard's top-examples list visible, on a ready dashboard of the asked feature. */
  dashboardMs: number
  /** Navigation start → the header names the backend in use (the model has loaded in the worker). */
  modelMs: number
  backendShown: string
  browserVersion: string
}

/** The e2e tests' launch options (Debian's Chromium when present, WebGPU on, sandbox off), so both see one browser. */
function launchOptions(): LaunchOptions {
  return { ...playwrightConfig.use?.launchOptions, headless: true }
}

async function pollUntil(done: () => Promise<boolean>, t0: number, what: string): Promise<number> {
  for (;;) {
    if (await done()) return performance.now() - t0
    if (performance.now() - t0 > LOAD_TIMEOUT) throw new Error(`Cold start: ${what} did not happen within ${LOAD_TIMEOUT / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

export async function coldStartOnce(baseURL: string, target: { saeId: string; index: number }, backend: Exclude<BackendParam, 'auto'>): Promise<ColdStartSample> {
  const browser = await chromium.launch(launchOptions())
  try {
    const page = await (await browser.newContext({ baseURL })).newPage()
    const uncaught: string[] = []
    page.on('pageerror', (err) => uncaught.push(err.message))
    const app = new MonoscopeApp(page)
    const t0 = performance.now()
    // goto resolves on the load event; the dashboard may appear after it, so the clock is polled alongside.
    const navigation = app.openRoute(hrefs.feature(target.saeId, target.index), { backend })
    const dashboardMs = await pollUntil(() => app.dashboard.topExamples.isVisible(), t0, 'the dashboard’s top examples')
    await navigation
    await app.dashboard.waitFor(target.index) // the visible list belongs to the asked feature, on a ready dashboard
    const modelMs = await pollUntil(async () => ((await app.shell.backend.getAttribute('data-backend')) ?? '') !== '', t0, 'the model load')
    const backendShown = (await app.shell.backend.getAttribute('data-backend')) ?? ''
    if (uncaught.length > 0) throw new Error(`Cold start: the page threw: ${uncaught.join('; ')}`)
    return { dashboardMs, modelMs, backendShown, browserVersion: browser.version() }
  } finally {
    await browser.close()
  }
}
