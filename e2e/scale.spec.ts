// Real scale in the tab, on WASM: a GPT-2-small-shaped model (124M parameters, random weights made by `monoscope
// random-model` when the test starts, never committed) with a 24,576-feature SAE at blocks.6.hook_resid_post (the
// shape of the most used public GPT-2 SAEs), served by the local stand-in Hub. A share link made by the CLI opens and
// gives exactly the CLI's tokens in both columns (generation and steering), then the inspector lists the SAE's
// features for a prompt. The memory the page and its workers hold is measured and attached to the report.
// WASM only: SwiftShader's software WebGPU would take many minutes for a 124M model (playwright.config.ts).
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect, GENERATE_TIMEOUT, LOAD_TIMEOUT, SteeringView, test } from './fixtures.ts'
import { startHubServer, type HubServer } from './hubServer.ts'

const root = path.resolve(import.meta.dirname, '..')
const run = promisify(execFile)
const monoscope = (args: string[]) => run(process.execPath, [path.join(root, 'bin/monoscope.mjs'), ...args], { cwd: root, maxBuffer: 64 << 20 })
let hub: HubServer
let dir: string

test.describe.configure({ timeout: 900_000 })

test.beforeAll(async () => {
  test.setTimeout(600_000)
  dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-gpt2-small-'))
  await monoscope(['random-model', '--out', dir, '--shape', 'gpt2-small', '--seed', '1', '--sae-width', '24576'])
  hub = await startHubServer({ 'monoscope/gpt2-small-random': dir })
})

test.afterAll(async () => {
  await hub?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

test('GPT-2 small with a 24,576-feature SAE loads in the tab, generates and steers exactly as the CLI, and inspects', async ({ app, page, backend }, testInfo) => {
  const model = `${hub.url}/monoscope/gpt2-small-random/resolve/main`
  const sae = `${model}/sae`
  const { stdout } = await monoscope(['generate', '--model', model, '--sae', sae, '--prompt', 'the cat sat on the', '--clamp', '5=20', '--temperature', '0', '--max-tokens', '6', '--seed', '1', '--json'])
  const cli = JSON.parse(stdout) as { default: { tokens: number[] }; steered: { tokens: number[] }; share: string }
  expect(cli.steered.tokens).not.toEqual(cli.default.tokens) // the clamp steers: a match below is not two defaults

  const steer = new SteeringView(page)
  await steer.openShare(cli.share, backend)
  await expect(app.loader.status).toContainText('gpt2 on tfjs (wasm) · 12 layers · d_model 768', { timeout: LOAD_TIMEOUT })
  const got = await steer.waitForRun()
  expect(got.default).toEqual(cli.default.tokens)
  expect(got.steered).toEqual(cli.steered.tokens)
  await testInfo.attach('gpt2-small-steering', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  // The inspector, in the same page (no reload of the 500 MB model): the SAE the link loaded, on a new prompt.
  await page.evaluate(() => (window.location.hash = '#/inspect'))
  await page.getByTestId('inspect.sae').selectOption(sae) // by id: the committed TinyWorld SAEs may be listed too
  await page.getByTestId('inspect.input').fill('the cat sat on the mat')
  await page.getByTestId('inspect.run').click()
  await expect(page.getByTestId('inspect.feature').first()).toBeVisible({ timeout: GENERATE_TIMEOUT })
  expect(Number(await page.getByTestId('inspect.feature').first().getAttribute('data-index'))).toBeLessThan(24576)
  await testInfo.attach('gpt2-small-inspector', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  // Memory: the whole page with its workers (Chromium's measureUserAgentSpecificMemory, cross-origin isolated
  // pages only), and the model worker's tfjs tensors.
  const worker = page.workers().find((w) => w.url().includes('modelWorker'))
  const tfBytes = await worker?.evaluate(() => (self as unknown as { _tfengine: { state: { numBytes: number } } })._tfengine.state.numBytes)
  const pageBytes = await page.evaluate(async () => {
    const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory
    if (!measure || !crossOriginIsolated) return null
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000))
    return ((await Promise.race([measure.call(performance), timeout])) as { bytes: number } | null)?.bytes ?? null
  })
  const memory = { tfjsTensorBytes: tfBytes ?? null, pageAndWorkersBytes: pageBytes }
  console.log(`[scale] memory: ${JSON.stringify(memory)}`)
  await testInfo.attach('gpt2-small-memory.json', { body: JSON.stringify(memory, null, 2), contentType: 'application/json' })
  expect(tfBytes).toBeGreaterThan(124e6 * 4 + 24576 * 768 * 2 * 4) // the model and the SAE are both held, in float32
})
