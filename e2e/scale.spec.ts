// Real scale in the tab, on WASM: a GPT-2-small-shaped model (124M parameters, random weights made by `monoscope
// random-model` when the test starts, never committed) with a 24,576-feature SAE at blocks.6.hook_resid_post (the
// shape of the most used public GPT-2 SAEs), served by the local stand-in Hub. A share link made by the CLI opens and
// gives exactly the CLI's tokens in both columns (generation and steering), then the inspector lists the SAE's
// features for a prompt. The memory the page and its workers hold is measured and attached to the report. The same
// weights exported by `monoscope export-onnx` in fp16, q8 and int8 load from ?dtype= and the loader on onnxruntime-web,
// each fetching only its own file, and generate.
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
/** The ONNX dtypes exported and loaded here: float16 throughout, and both 8-bit files (MatMulInteger; q8, uint8 weights
 * with zero points, is transformers.js's default on WASM; int8's are symmetric). On 2 busy cores q8 added ~18 s of
 * export and took the test from 1.5 to 1.6 min; q4 is loaded at TinyWorld scale only (onnxModel.spec.ts). */
const ONNX_FILES = { fp16: 'onnx/model_fp16.onnx', q8: 'onnx/model_quantized.onnx', int8: 'onnx/model_int8.onnx' } as const

test.describe.configure({ timeout: 900_000 })

test.beforeAll(async () => {
  test.setTimeout(600_000)
  dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-gpt2-small-'))
  await monoscope(['random-model', '--out', dir, '--shape', 'gpt2-small', '--seed', '1', '--sae-width', '24576'])
  const onnx = path.join(dir, 'onnx-export') // its own repo: a folder with model.safetensors would load on tfjs
  const t0 = performance.now()
  await monoscope(['export-onnx', '--model', dir, '--out', onnx, '--dtype', Object.keys(ONNX_FILES).join(',')])
  console.log(`[scale] export-onnx ${Object.keys(ONNX_FILES).join(',')}: ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  hub = await startHubServer({ 'monoscope/gpt2-small-random': dir, 'monoscope/gpt2-small-random-onnx': onnx })
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

test('the fp16, q8 and int8 ONNX exports of GPT-2 small load from ?dtype= and the loader, fetch only their own file, and generate', async ({ app, page, backend }) => {
  const repo = '/monoscope/gpt2-small-random-onnx/resolve/main'
  const model = `${hub.url}${repo}`
  for (const [i, [dtype, file]] of Object.entries(ONNX_FILES).entries()) {
    const before = hub.requests.length
    // The first from the address, the next from the loader's choice in the same page (the last model let go).
    if (i === 0) await page.goto(`./?${new URLSearchParams({ model, dtype, ...(backend !== 'auto' ? { backend } : {}) })}`)
    else {
      await app.loaders.expand() // collapsed to one line once the model is ready
      await page.getByTestId('loader.dtype').selectOption(dtype)
      await app.loader.load.click()
    }
    await expect(app.loader.status).toContainText(`from ${file} · 12 layers · d_model 768`, { timeout: LOAD_TIMEOUT })
    await expect(app.loader.status).toContainText('gpt2 on onnxruntime-web (wasm')
    expect(new URL(page.url()).searchParams.get('dtype')).toBe(dtype)
    const weights = hub.requests.slice(before).filter((r) => r.startsWith(`${repo}/onnx/`))
    expect(weights).toContain(`${repo}/${file}`)
    expect(weights.filter((r) => r !== `${repo}/${file}`)).toEqual([]) // only the file asked for
    await app.prompt.setPrompt('the cat sat on the')
    await app.prompt.setSampling({ maxTokens: 4, temperature: 0, stopAtEos: false })
    await app.prompt.generateButton.click()
    expect(await app.prompt.waitUntilFinished()).toBe('maxTokens')
    await expect(app.prompt.outputTokens).toHaveCount(4)
    console.log(`[scale] ${dtype}: ${await app.loader.status.textContent()}`)
  }
  await expect(app.shell.error).toHaveCount(0)
})
