// Page objects for Monoscope's end-to-end tests, and the `app` fixture: a page object per test that attaches
// a screenshot and the page's console (worker included) to the report when the test ends.
import { test as base, expect, type Locator, type Page } from '@playwright/test'

export type BackendParam = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu'

/** Model loads and SwiftShader generations are slow: waits are generous, and asserted by state, not time. */
export const LOAD_TIMEOUT = 180_000
export const GENERATE_TIMEOUT = 240_000

export class ShellBar {
  readonly backend: Locator
  readonly backendDetail: Locator
  readonly backendSelect: Locator
  readonly error: Locator
  readonly errorItems: Locator

  constructor(readonly page: Page) {
    this.backend = page.getByTestId('shell.backend')
    this.backendDetail = page.getByTestId('shell.backend-detail')
    this.backendSelect = page.getByTestId('shell.backend-select')
    this.error = page.getByTestId('shell.error')
    this.errorItems = page.getByTestId('shell.error-item')
  }

  errorWithCode(code: string): Locator {
    return this.page.locator(`[data-testid="shell.error-item"][data-code="${code}"]`)
  }
}

export class LoaderPanel {
  readonly source: Locator
  readonly load: Locator
  readonly loadDefault: Locator
  readonly progress: Locator
  readonly status: Locator

  constructor(readonly page: Page) {
    this.source = page.getByTestId('loader.source')
    this.load = page.getByTestId('loader.load')
    this.loadDefault = page.getByTestId('loader.default')
    this.progress = page.getByTestId('loader.progress')
    this.status = page.getByTestId('loader.status')
  }

  async loadSource(source: string): Promise<void> {
    await this.source.fill(source)
    await this.load.click()
  }

  /** Waits until no load is in flight and a model is in place. */
  async waitUntilReady(): Promise<void> {
    await expect(this.status).toHaveAttribute('data-status', 'ready', { timeout: LOAD_TIMEOUT })
  }

  async waitUntilSettled(): Promise<void> {
    await expect(this.status).not.toHaveAttribute('data-status', 'loading', { timeout: LOAD_TIMEOUT })
  }
}

export class PromptPanel {
  readonly input: Locator
  readonly tokens: Locator
  readonly tokenChips: Locator
  readonly generateButton: Locator
  readonly stopButton: Locator
  readonly output: Locator
  readonly outputTokens: Locator
  readonly status: Locator
  readonly temperature: Locator
  readonly seed: Locator
  readonly maxTokens: Locator
  readonly stopAtEos: Locator

  constructor(readonly page: Page) {
    this.input = page.getByTestId('prompt.input')
    this.tokens = page.getByTestId('prompt.tokens')
    this.tokenChips = page.getByTestId('prompt.token')
    this.generateButton = page.getByTestId('prompt.generate')
    this.stopButton = page.getByTestId('prompt.stop')
    this.output = page.getByTestId('prompt.output')
    this.outputTokens = page.getByTestId('prompt.output-token')
    this.status = page.getByTestId('prompt.status')
    this.temperature = page.getByTestId('prompt.temperature')
    this.seed = page.getByTestId('prompt.seed')
    this.maxTokens = page.getByTestId('prompt.max-tokens')
    this.stopAtEos = page.getByTestId('prompt.stop-at-eos')
  }

  async setPrompt(text: string): Promise<void> {
    await this.input.fill(text)
    // Tokens follow the text after a short debounce; wait until they describe this text.
    await expect(this.tokens).toHaveAttribute('data-stale', 'false')
    await expect(this.tokenChips.first()).toBeVisible()
  }

  async setSampling(opts: { maxTokens?: number; temperature?: number; seed?: number; stopAtEos?: boolean }): Promise<void> {
    if (opts.maxTokens !== undefined) await this.maxTokens.fill(String(opts.maxTokens))
    if (opts.temperature !== undefined) await this.temperature.fill(String(opts.temperature))
    if (opts.seed !== undefined) await this.seed.fill(String(opts.seed))
    if (opts.stopAtEos !== undefined) await this.stopAtEos.setChecked(opts.stopAtEos)
  }

  /** The longest generation the loaded model's context allows (the max-tokens field's limit). */
  async contextLimit(): Promise<number> {
    const max = Number(await this.maxTokens.getAttribute('max'))
    expect(max, 'max tokens is bounded by the model context').toBeGreaterThan(8)
    return max
  }

  /** Starts a generation as long as the context allows, and waits for its first token. */
  async startLongGeneration(start: () => Promise<void>): Promise<number> {
    const limit = await this.contextLimit()
    await this.setSampling({ maxTokens: limit, stopAtEos: false })
    await start()
    await expect(this.outputTokens.first()).toBeVisible({ timeout: GENERATE_TIMEOUT })
    return limit
  }

  /** The state the output reports: 'running', 'stopping', or how the last generation ended ('maxTokens', 'eos', 'stopped', 'error'). */
  async state(): Promise<string | null> {
    return this.output.getAttribute('data-state')
  }

  async waitUntilFinished(): Promise<string> {
    await expect(this.output).not.toHaveAttribute('data-state', /^(running|stopping|idle)$/, { timeout: GENERATE_TIMEOUT })
    return (await this.state()) ?? ''
  }

  async numTensors(): Promise<number> {
    return Number(await this.status.getAttribute('data-num-tensors'))
  }
}

export class MonoscopeApp {
  readonly shell: ShellBar
  readonly loader: LoaderPanel
  readonly prompt: PromptPanel

  constructor(readonly page: Page) {
    this.shell = new ShellBar(page)
    this.loader = new LoaderPanel(page)
    this.prompt = new PromptPanel(page)
  }

  async open(params: { backend?: BackendParam; model?: string } = {}): Promise<void> {
    const search = new URLSearchParams()
    if (params.backend && params.backend !== 'auto') search.set('backend', params.backend)
    if (params.model) search.set('model', params.model)
    const query = search.toString()
    await this.page.goto(query ? `./?${query}` : './')
  }
}

interface Fixtures {
  app: MonoscopeApp
}

export interface TestOptions {
  /** `?backend=` for this project ('auto' adds none). */
  backend: BackendParam
  /** The backend `shell.backend` must show once the model is loaded. */
  expectedBackend: Exclude<BackendParam, 'auto'>
}

export const test = base.extend<Fixtures & TestOptions>({
  backend: ['auto', { option: true }],
  expectedBackend: ['webgpu', { option: true }],
  app: async ({ page }, use, testInfo) => {
    const log: string[] = []
    page.on('console', (msg) => log.push(`[${msg.worker() ? 'worker' : 'page'}:${msg.type()}] ${msg.text()}`))
    page.on('pageerror', (err) => log.push(`[page:uncaught] ${err.message}`))
    await use(new MonoscopeApp(page))
    await testInfo.attach('screenshot', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })
    if (log.length > 0) await testInfo.attach('console', { body: log.join('\n'), contentType: 'text/plain' })
  },
})

export { expect }
