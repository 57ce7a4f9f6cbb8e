// One SAE training run in the built app in headless Chromium (the training panel, the training worker): returns the
// tokens/s the panel reports for the run's training loop. Loaded only by the browser-train suite.
import { chromium } from '@playwright/test'
import { expect, LOAD_TIMEOUT, MonoscopeApp, TrainingView, type BackendParam } from '../e2e/fixtures.ts'
import playwrightConfig from '../playwright.config.ts'

export async function trainInBrowser(baseURL: string, backend: Exclude<BackendParam, 'auto'>, fields: Record<string, number>): Promise<{ tokensPerSecond: number; browserVersion: string; trainingBackend: string; backendDetail: string }> {
  const browser = await chromium.launch({ ...playwrightConfig.use?.launchOptions, headless: true })
  try {
    const page = await (await browser.newContext({ baseURL })).newPage()
    const app = new MonoscopeApp(page)
    await app.openRoute('#/train', { backend })
    await app.loader.waitUntilReady()
    const shown = await app.shell.backend.getAttribute('data-backend')
    if (shown !== backend) throw new Error(`browser-train: asked for ${backend}, but the app ran on ${shown}`)
    const train = new TrainingView(page)
    const name = `bench-${backend}`
    await train.configure(fields, name)
    await train.start.click()
    const run = train.run(name)
    await expect(run).toHaveAttribute('data-status', 'finished', { timeout: 30 * LOAD_TIMEOUT })
    const tokensPerSecond = Number(await train.speed.getAttribute('data-tokens-per-second'))
    // The training worker's own backend, as it reports it.
    return {
      tokensPerSecond,
      browserVersion: browser.version(),
      trainingBackend: (await train.panel.getAttribute('data-backend')) ?? '',
      backendDetail: (await train.panel.getAttribute('data-backend-detail')) ?? '',
    }
  } finally {
    await browser.close()
  }
}
