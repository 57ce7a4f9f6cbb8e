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
  /** Why Automatic passed over a GPU backend (a software adapter), with a button to force each one. */
  readonly backendNote: Locator
  readonly error: Locator
  readonly errorItems: Locator

  constructor(readonly page: Page) {
    this.backend = page.getByTestId('shell.backend')
    this.backendDetail = page.getByTestId('shell.backend-detail')
    this.backendSelect = page.getByTestId('shell.backend-select')
    this.backendNote = page.getByTestId('shell.backend-note')
    this.error = page.getByTestId('shell.error')
    this.errorItems = page.getByTestId('shell.error-item')
  }

  /** The note's button that forces `backend` ('webgpu', 'webgl'). */
  forceBackend(backend: 'webgpu' | 'webgl'): Locator {
    return this.backendNote.locator(`[data-testid="shell.backend-force"][data-backend="${backend}"]`)
  }

  errorWithCode(code: string): Locator {
    return this.page.locator(`[data-testid="shell.error-item"][data-code="${code}"]`)
  }
}

/** The loaders' line: what is loaded, and the button that expands the model and SAE forms (collapsed once a model is ready). */
export class LoadersBar {
  readonly bar: Locator
  readonly toggle: Locator
  readonly model: Locator

  constructor(readonly page: Page) {
    this.bar = page.getByTestId('loaders.bar')
    this.toggle = page.getByTestId('loaders.toggle')
    this.model = page.getByTestId('loaders.model')
  }

  /** Opens the forms if they are collapsed. */
  async expand(): Promise<void> {
    if ((await this.toggle.getAttribute('aria-expanded')) !== 'true') await this.toggle.click()
    await expect(this.toggle).toHaveAttribute('aria-expanded', 'true')
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
    await new LoadersBar(this.page).expand()
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
    if (opts.stopAtEos !== undefined) {
      // Toggled with the keyboard, as a keyboard user would: a pointer click can land mid-layout-shift under load
      // ("fieldset intercepts pointer events", then a click beside the box), which a key press cannot.
      if ((await this.stopAtEos.isChecked()) !== opts.stopAtEos) await this.stopAtEos.press('Space')
      await expect(this.stopAtEos).toBeChecked({ checked: opts.stopAtEos })
    }
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

export class SaeLoaderPanel {
  readonly loaded: Locator
  readonly items: Locator
  readonly files: Locator
  readonly error: Locator
  readonly progress: Locator

  constructor(readonly page: Page) {
    this.loaded = page.getByTestId('sae.loaded')
    this.progress = page.getByTestId('sae.progress')
    this.items = page.getByTestId('sae.loaded-item')
    this.files = page.getByTestId('sae.files')
    this.error = page.getByTestId('sae.error')
  }

  /** Waits until the worker holds at least `count` SAEs (the defaults load after the model). */
  async waitForSaes(count = 1): Promise<void> {
    await expect(this.items.nth(count - 1)).toBeVisible({ timeout: LOAD_TIMEOUT })
  }

  item(saeId: string): Locator {
    return this.page.locator(`[data-testid="sae.loaded-item"][data-sae-id="${saeId}"]`)
  }

  /** Types a source (a folder, a URL or hf:owner/name) and its subfolder, and presses Load. */
  async loadSource(source: string, subfolder = ''): Promise<void> {
    await new LoadersBar(this.page).expand()
    await this.page.getByTestId('sae.source').fill(source)
    await this.page.getByTestId('sae.subfolder').fill(subfolder)
    await this.page.getByTestId('sae.load').click()
  }

  /** The progress bar of the load labelled `label` (what was typed, '/subfolder' included, or the files' names). */
  progressBar(label: string): Locator {
    return this.page.getByTestId('sae.progress').getByRole('progressbar', { name: `Loading ${label}`, exact: true })
  }

  /** Drops files on the SAEs box as a user drags them in: each is fetched by the page and named `name`. */
  async dropFiles(files: { url: string; name: string }[]): Promise<void> {
    await this.page.evaluate(async (list) => {
      const transfer = new DataTransfer()
      for (const { url, name } of list) {
        const response = await fetch(url)
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
        transfer.items.add(new File([await response.blob()], name))
      }
      const box = document.querySelector('[data-testid="sae.loader"]')!
      box.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }))
      box.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
    }, files)
  }
}

export class FeatureListView {
  readonly panel: Locator
  readonly search: Locator
  readonly sort: Locator
  readonly status: Locator
  readonly rows: Locator

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('features.panel')
    this.search = page.getByTestId('features.search')
    this.sort = page.getByTestId('features.sort')
    this.status = page.getByTestId('features.status')
    this.rows = page.getByTestId('features.row')
  }

  /** `timeout`: longer after an analysis in the tab (SwiftShader on a loaded machine took over 3 min). */
  async waitUntilReady(timeout = LOAD_TIMEOUT): Promise<void> {
    await expect(this.status).toHaveAttribute('data-status', 'ready', { timeout })
  }

  async find(query: string): Promise<void> {
    await this.search.fill(query)
    await expect(this.rows.first()).toBeVisible()
  }
}

export class DashboardView {
  readonly panel: Locator
  readonly title: Locator
  readonly topExamples: Locator
  readonly concept: Locator
  readonly histogram: Locator
  /** The stacked histogram's legend and bars (each with data-count and data-concept-count). */
  readonly histogramLegend: Locator
  readonly histogramBins: Locator
  /** The concept's probe ceiling beside the feature's AUROC (concept_ceilings.json). */
  readonly conceptCeiling: Locator
  readonly neighbours: Locator
  readonly steer: Locator

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('dashboard.panel')
    this.title = page.getByTestId('dashboard.title')
    this.topExamples = page.getByTestId('dashboard.top-examples')
    this.concept = page.getByTestId('dashboard.concept')
    this.conceptCeiling = page.getByTestId('dashboard.concept-ceiling')
    this.histogram = page.getByTestId('dashboard.histogram')
    this.histogramLegend = page.getByTestId('dashboard.histogram-legend')
    this.histogramBins = page.getByTestId('dashboard.histogram-bin')
    this.neighbours = page.getByTestId('dashboard.neighbour')
    this.steer = page.getByTestId('dashboard.steer')
  }

  async waitFor(index: number): Promise<void> {
    await expect(this.panel).toHaveAttribute('data-state', 'ready', { timeout: LOAD_TIMEOUT })
    await expect(this.panel).toHaveAttribute('data-index', String(index))
  }
}

/** A dashboard's explanation block: the label, its source and scores, Edit (Enter saves, Escape cancels) and Reset. */
export class ExplanationView {
  readonly block: Locator
  readonly text: Locator
  readonly method: Locator
  readonly score: Locator
  readonly detection: Locator
  readonly explainer: Locator
  readonly edit: Locator
  readonly input: Locator
  readonly reset: Locator
  readonly userNote: Locator
  readonly download: Locator

  constructor(readonly page: Page) {
    this.block = page.getByTestId('dashboard.explanation')
    this.text = page.getByTestId('dashboard.explanation-text')
    this.method = page.getByTestId('dashboard.explanation-method')
    this.score = page.getByTestId('dashboard.explanation-score')
    this.detection = page.getByTestId('dashboard.explanation-detection')
    this.explainer = page.getByTestId('dashboard.explanation-explainer')
    this.edit = page.getByTestId('dashboard.explanation-edit')
    this.input = page.getByTestId('dashboard.explanation-input')
    this.reset = page.getByTestId('dashboard.explanation-reset')
    this.userNote = page.getByTestId('dashboard.explanation-user-note')
    this.download = page.getByTestId('dashboard.download')
  }

  /** Types a new explanation and ends with `key`: 'Enter' saves, 'Escape' cancels. */
  async write(text: string, key: 'Enter' | 'Escape'): Promise<void> {
    await this.edit.click()
    await this.input.fill(text)
    await this.input.press(key)
    await expect(this.input).toHaveCount(0)
  }

  /** Clicks Download JSON and returns the parsed file. */
  async downloadJson(): Promise<Record<string, unknown>> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.download.click()])
    const stream = await download.createReadStream()
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
  }
}

/** "Explain with an LLM" on the feature list. */
export class LlmPanel {
  readonly panel: Locator
  readonly toggle: Locator
  readonly baseUrl: Locator
  readonly model: Locator
  readonly apiKey: Locator
  readonly remember: Locator
  readonly scope: Locator
  readonly limit: Locator
  readonly start: Locator
  readonly cancel: Locator
  readonly status: Locator
  readonly progress: Locator
  readonly failures: Locator
  readonly error: Locator

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('llm.panel')
    this.toggle = page.getByTestId('llm.toggle')
    this.baseUrl = page.getByTestId('llm.base-url')
    this.model = page.getByTestId('llm.model')
    this.apiKey = page.getByTestId('llm.api-key')
    this.remember = page.getByTestId('llm.remember')
    this.scope = page.getByTestId('llm.scope')
    this.limit = page.getByTestId('llm.limit')
    this.start = page.getByTestId('llm.start')
    this.cancel = page.getByTestId('llm.cancel')
    this.status = page.getByTestId('llm.status')
    this.progress = page.getByTestId('llm.progress')
    this.failures = page.getByTestId('llm.failure')
    this.error = page.getByTestId('llm.error')
  }

  async open(): Promise<void> {
    if ((await this.panel.getAttribute('open')) === null) await this.toggle.click()
    await expect(this.baseUrl).toBeVisible()
  }

  async configure(opts: { baseUrl: string; model: string; apiKey: string; scope: 'feature' | 'shown' | 'live'; limit: number }): Promise<void> {
    await this.open()
    await this.baseUrl.fill(opts.baseUrl)
    await this.model.fill(opts.model)
    await this.apiKey.fill(opts.apiKey)
    await this.scope.selectOption(opts.scope)
    await this.limit.fill(String(opts.limit))
    await expect(this.start).toHaveText(`Start (${opts.limit})`)
  }

  /** Starts a run and waits for it to end; returns the state it ended in ('done', 'cancelled'). */
  async run(timeout = LOAD_TIMEOUT): Promise<string> {
    await expect(this.start).toBeEnabled({ timeout: LOAD_TIMEOUT }) // the SAE must have loaded: its hash keys the cache
    await this.start.click()
    await expect(this.status).toHaveAttribute('data-status', /^(done|cancelled)$/, { timeout })
    return (await this.status.getAttribute('data-status')) ?? ''
  }
}

export class MapView {
  readonly panel: Locator
  readonly canvas: Locator
  readonly tooltip: Locator
  readonly colour: Locator

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('map.panel')
    this.canvas = page.getByTestId('map.canvas')
    this.tooltip = page.getByTestId('map.tooltip')
    this.colour = page.getByTestId('map.colour')
  }

  /** Waits until every point of the map is drawn; returns how many. */
  async waitUntilDrawn(): Promise<number> {
    await expect(this.canvas).toHaveAttribute('data-drawn', /^[1-9]\d*$/, { timeout: LOAD_TIMEOUT })
    const total = await this.canvas.getAttribute('data-points')
    await expect(this.canvas).toHaveAttribute('data-drawn', total!)
    return Number(total)
  }

  /** Clicks the first point (the canvas reports where it drew it). */
  async clickSamplePoint(): Promise<void> {
    const [x, y] = ((await this.canvas.getAttribute('data-sample-point')) ?? '').split(',').map(Number)
    await this.canvas.click({ position: { x: x!, y: y! } })
  }
}

export class InspectView {
  readonly panel: Locator
  readonly input: Locator
  readonly run: Locator
  readonly result: Locator
  readonly tokens: Locator
  readonly active: Locator
  readonly error: Locator

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('inspect.panel')
    this.input = page.getByTestId('inspect.input')
    this.run = page.getByTestId('inspect.run')
    this.result = page.getByTestId('inspect.result')
    this.tokens = page.getByTestId('inspect.token')
    this.active = page.getByTestId('inspect.active')
    this.error = page.getByTestId('inspect.error')
  }

  async inspect(text: string): Promise<void> {
    await this.input.fill(text)
    await expect(this.run).toBeEnabled({ timeout: LOAD_TIMEOUT })
    await this.run.click()
    await expect(this.result).toHaveAttribute('data-state', 'ready', { timeout: LOAD_TIMEOUT })
  }

  token(piece: string): Locator {
    return this.tokens.filter({ has: this.page.getByTestId('inspect.token-button').getByText(piece, { exact: true }) })
  }

  /**
   * Inspects `text` with one SAE and returns every feature shown, in order, as 'feature <index>: <value>' (each
   * token's top features, then all active features of the chosen token). Waits until the links name this SAE.
   */
  async featuresOf(saeId: string, text: string): Promise<string[]> {
    await this.page.getByTestId('inspect.sae').selectOption(saeId)
    await this.inspect(text)
    const links = this.page.getByTestId('inspect.feature')
    const href = `#/feature/${encodeURIComponent(saeId)}/`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    await expect(links.first()).toHaveAttribute('href', new RegExp(`^${href}\\d+$`))
    return links.evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''))
  }
}

export class ContrastView {
  readonly panel: Locator
  readonly result: Locator

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('contrast.panel')
    this.result = page.getByTestId('contrast.result')
  }

  /** Runs a TinyWorld concept contrast and waits for its tables. */
  async byConcept(concept: string, opts: { prompts: number; seed: number; target?: string }): Promise<void> {
    await this.page.getByTestId('contrast.mode').selectOption('concept')
    await this.page.getByTestId('contrast.concept').selectOption(concept)
    await this.page.getByTestId('contrast.prompts').fill(String(opts.prompts))
    await this.page.getByTestId('contrast.seed').fill(String(opts.seed))
    await this.page.getByTestId('contrast.target').fill(opts.target ?? '')
    await this.page.getByTestId('contrast.run').click()
    await expect(this.result).toHaveAttribute('data-state', 'ready', { timeout: LOAD_TIMEOUT })
  }

  /** Feature indices of a ranking's rows, top first. */
  async ranking(by: 'activation' | 'attribution'): Promise<number[]> {
    const rows = this.page.getByTestId(`contrast.table-${by}`).getByTestId('contrast.row')
    return (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-index')))).map(Number)
  }
}

export class MonoscopeApp {
  readonly shell: ShellBar
  readonly loaders: LoadersBar
  readonly loader: LoaderPanel
  readonly prompt: PromptPanel
  readonly saes: SaeLoaderPanel
  readonly features: FeatureListView
  readonly dashboard: DashboardView
  readonly map: MapView
  readonly inspector: InspectView
  readonly contrast: ContrastView
  readonly explanation: ExplanationView
  readonly llm: LlmPanel

  constructor(readonly page: Page) {
    this.shell = new ShellBar(page)
    this.loaders = new LoadersBar(page)
    this.loader = new LoaderPanel(page)
    this.prompt = new PromptPanel(page)
    this.saes = new SaeLoaderPanel(page)
    this.features = new FeatureListView(page)
    this.dashboard = new DashboardView(page)
    this.map = new MapView(page)
    this.inspector = new InspectView(page)
    this.contrast = new ContrastView(page)
    this.explanation = new ExplanationView(page)
    this.llm = new LlmPanel(page)
  }

  /** Opens a view by its hash route, e.g. '#/features' (with the open() parameters). */
  async openRoute(hash: string, params: { backend?: BackendParam } = {}): Promise<void> {
    const search = params.backend && params.backend !== 'auto' ? `?backend=${params.backend}` : ''
    await this.page.goto(`./${search}${hash}`)
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
  /**
   * This project's backend is ~100× slower than WASM (WebGPU on SwiftShader): heavy specs run a smaller variant
   * (fewer tokens, steps, features) with the same assertions.
   */
  smallRuns: boolean
}

export const test = base.extend<Fixtures & TestOptions>({
  backend: ['wasm', { option: true }],
  expectedBackend: ['wasm', { option: true }],
  smallRuns: [false, { option: true }],
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

const UNREAD = Symbol('unread')

/**
 * Reads `read` until two readings `every` ms apart agree, within `timeout`, and returns the settled value: for
 * "nothing more arrives" checks, instead of a fixed sleep that is too short on a busy machine.
 */
export async function settled<T>(read: () => Promise<T>, { every = 250, timeout = 30_000 } = {}): Promise<T> {
  // The poll's first reading comes at once; it has nothing to agree with, so the check spans at least `every`.
  let previous: T | typeof UNREAD = UNREAD
  let value!: T
  await expect
    .poll(
      async () => {
        value = await read()
        const same = value === previous
        previous = value
        return same
      },
      { timeout, intervals: [every], message: 'the value kept changing' },
    )
    .toBe(true)
  return value
}

/** The steering playground (#/steer). */
export class SteeringView {
  readonly panel: Locator
  readonly features: Locator
  readonly defaultOutput: Locator
  readonly steeredOutput: Locator
  readonly run: Locator
  readonly stop: Locator
  readonly copyLink: Locator
  readonly link: Locator
  readonly linkError: Locator

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('steer.panel')
    this.features = page.getByTestId('steer.feature')
    this.defaultOutput = page.getByTestId('steer.default-output')
    this.steeredOutput = page.getByTestId('steer.steered-output')
    this.run = page.getByTestId('steer.run')
    this.stop = page.getByTestId('steer.stop')
    this.copyLink = page.getByTestId('steer.copy-link')
    this.link = page.getByTestId('steer.link')
    this.linkError = page.getByTestId('steer.link-error')
  }

  /** Opens a share state (`v1.…`) on this project's backend. */
  async openShare(state: string, backend: BackendParam): Promise<void> {
    const params = new URLSearchParams()
    if (backend !== 'auto') params.set('backend', backend)
    params.set('steer', state)
    await this.page.goto(`./?${params.toString()}#/steer`)
  }

  /** Waits for a run to finish; returns both columns' token ids. */
  /** Opens a CLI `generate --json` reply's share link and expects both columns to give exactly the CLI's tokens. */
  async expectCliTokens(cli: { default: { tokens: number[] }; steered: { tokens: number[] }; share: string }, backend: BackendParam): Promise<void> {
    await this.openShare(cli.share, backend)
    const got = await this.waitForRun()
    expect(got.default).toEqual(cli.default.tokens)
    expect(got.steered).toEqual(cli.steered.tokens)
  }

  async waitForRun(): Promise<{ default: number[]; steered: number[] }> {
    await expect(this.steeredOutput).toHaveAttribute('data-status', /^done:/, { timeout: GENERATE_TIMEOUT })
    const ids = async (l: Locator) => ((await l.getAttribute('data-tokens')) ?? '').split(',').filter((t) => t !== '').map(Number)
    return { default: await ids(this.defaultOutput), steered: await ids(this.steeredOutput) }
  }
}

/** The training panel (#/train). */
export class TrainingView {
  readonly panel: Locator
  readonly start: Locator
  readonly runs: Locator
  readonly charts: Locator
  readonly speed: Locator
  readonly error: Locator

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('train.panel')
    this.start = page.getByTestId('train.start')
    this.runs = page.getByTestId('train.run')
    this.charts = page.getByTestId('train.charts')
    this.speed = page.getByTestId('train.speed')
    this.error = page.getByTestId('train.error')
  }

  /** Fills the form's number fields by test id suffix, e.g. { steps: 150, 'd-sae': 256 }, and the run name. */
  async configure(fields: Record<string, number>, name?: string): Promise<void> {
    for (const [field, value] of Object.entries(fields)) await this.page.getByTestId(`train.${field}`).fill(String(value))
    if (name !== undefined) await this.page.getByTestId('train.name').fill(name)
  }

  run(name: string): Locator {
    return this.runs.filter({ hasText: name })
  }

  /** Points drawn so far on one chart ('loss', 'mse', 'l0', 'fvu', 'dead', 'ce'). */
  async chartPoints(metric: string): Promise<number> {
    return Number(await this.page.locator(`[data-testid="train.chart"][data-metric="${metric}"]`).getAttribute('data-points'))
  }

  button(run: Locator, action: 'pause' | 'resume' | 'cancel' | 'open' | 'export' | 'delete' | 'dashboards' | 'map'): Locator {
    return run.getByTestId(`train.run-${action}`)
  }
}

/** The accessibility and layout audits of a11y.spec.ts: axe-core's serious and critical findings, and horizontal overflow. */
export class A11yAudit {
  constructor(readonly page: Page) {}

  /** axe-core's violations of impact serious or critical on the page as it is now, one line each (rule, node count, first target). */
  async seriousViolations(): Promise<string[]> {
    const { default: AxeBuilder } = await import('@axe-core/playwright')
    const result = await new AxeBuilder({ page: this.page }).analyze()
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}, ${v.nodes.length}): ${v.help} — e.g. ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)
  }

  /** How wide the document scrolls (more than the viewport's width means horizontal overflow), and the widest culprits. */
  async overflow(): Promise<{ scrollWidth: number; culprits: string[] }> {
    return this.page.evaluate(() => {
      const width = document.documentElement.clientWidth
      // Past the right edge and not clipped by a scrolling (or clipping) box on the way up: it widens the page.
      const widens = (el: Element): boolean => {
        if (el.getBoundingClientRect().right <= width + 1 || el.getClientRects().length === 0) return false
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) if (getComputedStyle(up).overflowX !== 'visible') return false
        return true
      }
      const culprits = [...document.querySelectorAll('body *')]
        .filter((el) => widens(el) && ![...el.children].some(widens)) // the deepest ones
        .slice(0, 8)
        .map((el) => {
          const h = el as HTMLElement
          return `${el.tagName.toLowerCase()}${h.dataset.testid ? `[${h.dataset.testid}]` : typeof h.className === 'string' && h.className ? `.${h.className.split(' ')[0]}` : ''} → ${Math.round(el.getBoundingClientRect().right)}px`
        })
      return { scrollWidth: document.documentElement.scrollWidth, culprits }
    })
  }
}

/** One run of the training panel's list: its status, what it offers, and the charts' labels (issue #17's fixes). */
export class TrainingRunItem {
  readonly status: Locator

  constructor(
    readonly page: Page,
    readonly item: Locator,
  ) {
    this.status = item.getByTestId('train.run-status')
  }

  action(name: 'pause' | 'resume' | 'restart' | 'cancel' | 'open' | 'export' | 'delete' | 'dashboards' | 'map'): Locator {
    return this.item.getByTestId(`train.run-${name}`)
  }

  /** One chart of the selected run ('loss', 'mse', 'l0', 'fvu', 'dead', 'ce'). */
  chart(metric: string): Locator {
    return this.page.locator(`[data-testid="train.chart"][data-metric="${metric}"]`)
  }
}
