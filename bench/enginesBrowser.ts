// One model in the built app in headless Chromium, on WASM with a given thread count: load time, then prefill and
// generation measured through the Generate panel (the worker's own elapsed time for a 1-token and a 33-token greedy
// run of the same prompt), and the memory the page and its workers hold. Loaded only by the browser-engines suite.
import { chromium, type Page } from '@playwright/test'
import { expect, LOAD_TIMEOUT, MonoscopeApp } from '../e2e/fixtures.ts'
import playwrightConfig from '../playwright.config.ts'

export interface BrowserEngineTiming {
  status: string
  loadMs: number
  promptTokens: number
  prefillMs: number[]
  perTokenMs: number[]
  pageBytes: number | null
  browserVersion: string
}

async function elapsed(app: MonoscopeApp, page: Page, maxTokens: number): Promise<number> {
  await app.prompt.setSampling({ maxTokens })
  await app.prompt.generateButton.click()
  const ended = await app.prompt.waitUntilFinished()
  if (ended !== 'maxTokens') throw new Error(`browser-engines: the run ended with ${ended}: ${(await app.shell.errorItems.allTextContents()).join(' | ')}`)
  const status = page.getByTestId('prompt.status')
  expect(Number(await status.getAttribute('data-generated'))).toBe(maxTokens)
  return Number(await status.getAttribute('data-elapsed-ms'))
}

export async function measureInBrowser(baseURL: string, model: string, opts: { threads: number; prompt: string; repeats: number }): Promise<BrowserEngineTiming> {
  const browser = await chromium.launch({ ...playwrightConfig.use?.launchOptions, headless: true })
  try {
    const page = await (await browser.newContext({ baseURL })).newPage()
    const app = new MonoscopeApp(page)
    const t0 = Date.now()
    await page.goto(`./?${new URLSearchParams({ model, backend: 'wasm', threads: String(opts.threads) })}`)
    await expect(app.loader.status).toHaveAttribute('data-status', 'ready', { timeout: 5 * LOAD_TIMEOUT })
    const loadMs = Date.now() - t0
    await app.prompt.setPrompt(opts.prompt)
    await app.prompt.setSampling({ temperature: 0, stopAtEos: false, seed: 1 })
    const promptTokens = await app.prompt.tokenChips.count()
    await elapsed(app, page, 2) // warm-up: kernels compiled, sessions built
    const prefillMs: number[] = []
    const perTokenMs: number[] = []
    for (let i = 0; i < opts.repeats; i++) {
      const one = await elapsed(app, page, 1)
      const many = await elapsed(app, page, 33)
      prefillMs.push(one)
      perTokenMs.push((many - one) / 32)
    }
    const memory = await page.evaluate(async () => {
      const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory
      if (!measure || !crossOriginIsolated) return 'measureUserAgentSpecificMemory needs a cross-origin isolated page'
      const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('no answer in 60 s'), 60_000))
      try {
        return await Promise.race([measure.call(performance).then((r) => r.bytes), timeout])
      } catch (err) {
        return String(err)
      }
    })
    if (typeof memory === 'string') process.stderr.write(`  browser-engines: no memory figure: ${memory}\n`)
    const pageBytes = typeof memory === 'number' ? memory : null
    return { status: (await app.loader.status.textContent()) ?? '', loadMs, promptTokens, prefillMs, perTokenMs, pageBytes, browserVersion: browser.version() }
  } finally {
    await browser.close()
  }
}
