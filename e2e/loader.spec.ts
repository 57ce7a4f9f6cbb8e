// Loading SAEs end to end, from a local server the spec starts (e2e/hubServer.ts): a stand-in Hub that `?hub=`
// points 'hf:' sources at, a plain URL folder, and files dropped on the SAEs box (a zip too). Each copy holds the
// committed standard-1024's weights, so the prompt inspector must show exactly its features. Missing repos, damaged
// and cut-off downloads fail with their code in the banner, and the SAEs already loaded keep working.
import type { Page, TestInfo } from '@playwright/test'
import { readFileSync } from 'node:fs'
import { expect, LOAD_TIMEOUT, test, type MonoscopeApp } from './fixtures.ts'
import { startHubServer, type HubServer } from './hubServer.ts'

const TEXT = 'The dog can see the Golden Arc Bridge from here'
const COMMITTED = 'tinyworld/blocks.2.hook_resid_post/standard-1024'
/** The SAEs the app loads at start: every one the committed index lists. */
const DEFAULT_SAES = (JSON.parse(readFileSync('public/saes/tinyworld/index.json', 'utf8')) as { saes: unknown[] }).saes.length

let hub: HubServer
test.beforeAll(async () => {
  hub = await startHubServer()
})
test.afterAll(async () => {
  await hub.close()
})

async function open(app: MonoscopeApp, page: Page, backend: string, params: Record<string, string> = {}): Promise<void> {
  const search = new URLSearchParams({ ...params, ...(backend !== 'auto' ? { backend } : {}) })
  await page.goto(`./?${search}#/inspect`)
  await app.loader.waitUntilReady()
  await app.saes.waitForSaes(DEFAULT_SAES)
}

/** The committed SAE's features on TEXT, the reference every other copy of its weights must match. */
async function reference(app: MonoscopeApp): Promise<string[]> {
  const features = await app.inspector.featuresOf(COMMITTED, TEXT)
  expect(features.length, 'each token shows its top features').toBeGreaterThan(10)
  // The sentence is about a bridge: its name's top feature is what the tests compare first.
  await expect(app.inspector.token('Bridge').getByTestId('inspect.feature').first()).toBeVisible()
  return features
}

async function within(promise: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} (after ${ms} ms)`)), ms)))
  await Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  // Transitions finished, so the progress bar is drawn at the value it reports.
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true, animations: 'disabled' }), contentType: 'image/png' })
}

test('hf: model and SAE from a Hub mirror (?hub=): the download shows progress, and the SAE inspects like its committed copy', async ({ app, page, backend }, testInfo) => {
  // The model comes from the mirror too: `?hub=` reaches the model worker's 'hf:' loads as well as the SAEs'.
  await open(app, page, backend, { hub: hub.url, model: 'hf:monoscope/tinyworld' })
  expect(hub.requests).toContain('/monoscope/tinyworld/resolve/main/model.safetensors')
  const expected = await reference(app)
  const bridgeTop = await app.inspector.token('Bridge').getByTestId('inspect.feature').first().getAttribute('data-index')

  // Held halfway by the server: the progress bar shows the bytes received so far.
  const held = hub.hold('/monoscope/tinyworld-saes/resolve/main/standard-1024/sae_weights.safetensors')
  await app.saes.loadSource('hf:monoscope/tinyworld-saes', 'standard-1024')
  await within(held.reached, 60_000, 'the app never asked the mirror for the weights')
  const bar = app.saes.progressBar('hf:monoscope/tinyworld-saes/standard-1024')
  await expect(bar).toHaveAttribute('aria-valuenow', /^(4[5-9]|5[0-5])$/)
  // All of cfg.json and about half of the 1 MB weights have arrived; the weights are the file in flight.
  await expect(page.getByTestId('sae.progress')).toContainText(/hf:monoscope\/tinyworld-saes\/standard-1024 · sae_weights\.safetensors · (4\d\d|5\d\d) KB of 1\.0 MB/)
  await shot(page, testInfo, 'hub-sae-progress')
  held.release()

  const id = 'hf:monoscope/tinyworld-saes/standard-1024'
  await expect(app.saes.item(id)).toBeVisible({ timeout: LOAD_TIMEOUT })
  await expect(page.getByTestId('sae.progress')).toHaveCount(0)
  await expect(app.saes.error).toHaveCount(0)
  const fromHub = await app.inspector.featuresOf(id, TEXT)
  expect(fromHub).toEqual(expected)
  expect(await app.inspector.token('Bridge').getByTestId('inspect.feature').first().getAttribute('data-index')).toBe(bridgeTop)
  await shot(page, testInfo, 'hub-sae-inspected')
})

test('an SAE from a plain URL folder loads and inspects like its committed copy', async ({ app, page, backend }, testInfo) => {
  await open(app, page, backend)
  const expected = await reference(app)
  const url = `${hub.url}/files/standard-1024`
  await app.saes.loadSource(url)
  await expect(app.saes.item(url)).toBeVisible({ timeout: LOAD_TIMEOUT })
  expect(hub.requests).toContain('/files/standard-1024/sae_weights.safetensors')
  expect(await app.inspector.featuresOf(url, TEXT)).toEqual(expected)
  await shot(page, testInfo, 'url-sae-inspected')
})

test('SAE files and a zip dropped on the SAEs box load and inspect like the committed copy', async ({ app, page, backend }, testInfo) => {
  await open(app, page, backend)
  const expected = await reference(app)
  const folder = `${hub.url}/files/standard-1024`
  await app.saes.dropFiles([
    { url: `${folder}/cfg.json`, name: 'cfg.json' },
    { url: `${folder}/sae_weights.safetensors`, name: 'sae_weights.safetensors' },
  ])
  const dropped = 'local:cfg.json+sae_weights.safetensors'
  await expect(app.saes.item(dropped)).toBeVisible({ timeout: LOAD_TIMEOUT })
  expect(await app.inspector.featuresOf(dropped, TEXT)).toEqual(expected)

  await app.saes.dropFiles([{ url: `${hub.url}/files/standard-1024.zip`, name: 'standard-1024.zip' }])
  const zipped = 'local:standard-1024.zip'
  await expect(app.saes.item(zipped)).toBeVisible({ timeout: LOAD_TIMEOUT })
  expect(await app.inspector.featuresOf(zipped, TEXT)).toEqual(expected)
  await expect(app.saes.items).toHaveCount(DEFAULT_SAES + 2)
  await expect(app.saes.error).toHaveCount(0)
  await shot(page, testInfo, 'dropped-saes-inspected')
})

test('a missing repo, a damaged or cut-off download and a missing URL folder fail clearly; loaded SAEs keep working', async ({ app, page, backend }, testInfo) => {
  await open(app, page, backend, { hub: hub.url })
  const expected = await reference(app)
  const failsWith = async (code: string, source: string, subfolder: string, detail: string | RegExp) => {
    const before = await app.shell.errorWithCode(code).count()
    await app.saes.loadSource(source, subfolder)
    await expect(app.saes.error).toHaveAttribute('data-code', code, { timeout: LOAD_TIMEOUT })
    await expect(app.saes.error).toContainText(detail)
    // The banner holds one more error with that code, naming the source, with the SAE words for it.
    await expect(app.shell.errorWithCode(code)).toHaveCount(before + 1)
    const item = app.shell.errorWithCode(code).last()
    await expect(item.getByTestId('shell.error-detail')).toContainText(detail)
    await expect(item.locator('.error-title')).toContainText('SAE')
  }

  await failsWith('SOURCE_NOT_FOUND', 'hf:monoscope/missing', 'standard-1024', /monoscope\/missing.*RepoNotFound/)
  await failsWith('SAFETENSORS_FORMAT', 'hf:monoscope/broken', 'standard-2048', /hf:monoscope\/broken@main\/standard-2048: sae_weights\.safetensors.*truncated/)
  await failsWith('SOURCE_NETWORK', 'hf:monoscope/cut', 'standard-1024', /sae_weights\.safetensors.*hf:monoscope\/cut@main\/standard-1024/)
  await failsWith('SOURCE_NOT_FOUND', `${hub.url}/files/no-such-sae`, '', `${hub.url}/files/no-such-sae`)
  await shot(page, testInfo, 'sae-load-errors')

  // Nothing was added, nothing was lost: the committed SAEs are all there, and still inspect the same.
  await expect(app.saes.items).toHaveCount(DEFAULT_SAES)
  expect(await app.inspector.featuresOf(COMMITTED, TEXT)).toEqual(expected)
})

test('a ?hub= that is not http(s) is refused in the banner, and the app runs on the default Hub', async ({ app, page, backend }) => {
  await open(app, page, backend, { hub: 'ftp://mirror.example' })
  const item = app.shell.errorWithCode('INVALID_ARGUMENT')
  await expect(item).toHaveCount(1)
  await expect(item.getByTestId('shell.error-detail')).toContainText('?hub=ftp://mirror.example must be http(s)')
  await expect(item.getByTestId('shell.error-detail')).toContainText('https://huggingface.co')
  await expect(app.saes.item(COMMITTED)).toBeVisible()
})
