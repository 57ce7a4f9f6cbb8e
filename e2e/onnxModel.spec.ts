// An ONNX decoder in the app, on each backend project: a tiny Llama exported to ONNX (test-fixtures/onnx/llama) is
// served by the local stand-in Hub; a share link made by the CLI (onnxruntime-node) opens it in the browser
// (onnxruntime-web), where the status line names the engine, both columns give exactly the CLI's greedy tokens
// (the steered one through the graph split at the SAE's hook), and the inspector lists the SAE's features.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { promisify } from 'node:util'
import path from 'node:path'
import { expect, LOAD_TIMEOUT, SteeringView, test } from './fixtures.ts'
import { startHubServer, type HubServer } from './hubServer.ts'

const root = path.resolve(import.meta.dirname, '..')
let hub: HubServer
let exported: string
test.beforeAll(async () => {
  // TinyWorld exported in four of transformers.js's dtypes, made now by the CLI (never committed).
  exported = await mkdtemp(path.join(os.tmpdir(), 'monoscope-onnx-variants-'))
  await promisify(execFile)(process.execPath, [path.join(root, 'bin/monoscope.mjs'), 'export-onnx', '--out', exported, '--dtype', 'fp32,fp16,q8,q4'], { cwd: root })
  hub = await startHubServer({ 'monoscope/tinyworld-onnx': exported })
})
test.afterAll(async () => {
  await hub.close()
  await rm(exported, { recursive: true, force: true })
})

test('an ONNX Llama loads, steers exactly as the CLI does, and inspects with its SAE', async ({ app, page, backend }, testInfo) => {
  void app // its fixture attaches the console log
  const model = `${hub.url}/monoscope/tiny-llama-onnx/resolve/main`
  const sae = `${model}/sae`
  // Asynchronously: the stand-in Hub runs in this process and must answer the CLI.
  const { stdout: out } = await promisify(execFile)(process.execPath, [path.join(root, 'bin/monoscope.mjs'), 'generate', '--model', model, '--sae', sae, '--prompt', 'the cat sat', '--clamp', '31=40', '--temperature', '0', '--max-tokens', '6', '--seed', '1', '--json'], { cwd: root })
  const cli = JSON.parse(out) as { default: { tokens: number[] }; steered: { tokens: number[] }; share: string }
  expect(cli.steered.tokens).not.toEqual(cli.default.tokens) // the clamp steers: a match below is not two defaults

  await new SteeringView(page).expectCliTokens(cli, backend)
  await expect(page.getByTestId('loader.status')).toContainText('llama on onnxruntime', { timeout: LOAD_TIMEOUT })
  // onnxruntime-web's WebGPU provider is for hardware adapters; on SwiftShader it runs WASM and says why.
  if (backend === 'webgpu') await expect(page.getByTestId('loader.status')).toContainText('the WebGPU adapter is SwiftShader, slower than WASM')
  await testInfo.attach('onnx-steering', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  await page.goto(`./?${new URLSearchParams({ model, ...(backend !== 'auto' ? { backend } : {}) })}#/inspect`)
  await expect(page.getByTestId('loader.status')).toContainText('llama on onnxruntime', { timeout: LOAD_TIMEOUT })
  // TinyWorld's committed SAEs read another vocabulary: they are left out here, and the SAE box says why.
  await expect(page.getByTestId('sae.index-skipped')).toContainText("vocabulary is not TinyWorld's", { timeout: LOAD_TIMEOUT })
  await expect(page.locator('[data-testid="sae.loaded-item"][data-sae-id^="tinyworld/"]')).toHaveCount(0)
  await app.loaders.expand() // collapsed to one line once the model is ready
  await page.getByTestId('sae.source').fill(sae)
  await page.getByTestId('sae.load').click()
  await expect(page.locator(`[data-testid="sae.loaded-item"][data-sae-id="${sae}"]`)).toBeVisible({ timeout: LOAD_TIMEOUT })
  await page.getByTestId('inspect.sae').selectOption(sae)
  await page.getByTestId('inspect.input').fill('the cat sat on the mat')
  await page.getByTestId('inspect.run').click()
  await expect(page.getByTestId('inspect.feature').first()).toHaveAttribute('href', new RegExp(`^#/feature/${encodeURIComponent(sae).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d+$`), { timeout: LOAD_TIMEOUT })
  expect(await page.getByTestId('inspect.feature').count()).toBeGreaterThan(5)
  await testInfo.attach('onnx-inspector', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })
})

test('the fp16, q8 and q4 files of an ONNX export load from ?dtype= and from the loader, name their file, and generate', async ({ app, page, backend }) => {
  const model = `${hub.url}/monoscope/tinyworld-onnx/resolve/main`
  await page.goto(`./?${new URLSearchParams({ model, dtype: 'fp16', ...(backend !== 'auto' ? { backend } : {}) })}`)
  await expect(app.loader.status).toContainText('from onnx/model_fp16.onnx', { timeout: LOAD_TIMEOUT })
  await expect(page.getByTestId('loader.dtype')).toHaveValue('fp16')
  const fetched = hub.requests.filter((r) => r.startsWith('/monoscope/tinyworld-onnx/'))
  expect(fetched).toContain('/monoscope/tinyworld-onnx/resolve/main/onnx/model_fp16.onnx')
  expect(fetched.filter((r) => r.includes('/onnx/') && !r.endsWith('model_fp16.onnx'))).toEqual([]) // only the file asked for
  await app.prompt.setPrompt('the cat')
  await app.prompt.setSampling({ maxTokens: 4, temperature: 0, stopAtEos: false })
  await app.prompt.generateButton.click()
  expect(await app.prompt.waitUntilFinished()).toBe('maxTokens')
  await expect(app.prompt.outputTokens).toHaveCount(4)

  // The loader's choice: q8 (dynamic quantization) on the next Load, and the address bar follows it.
  await app.loaders.expand() // collapsed to one line once the model is ready
  await page.getByTestId('loader.dtype').selectOption('q8')
  await app.loader.load.click()
  await expect(app.loader.status).toContainText('from onnx/model_quantized.onnx', { timeout: LOAD_TIMEOUT })
  expect(new URL(page.url()).searchParams.get('dtype')).toBe('q8')
  await app.prompt.generateButton.click()
  expect(await app.prompt.waitUntilFinished()).toBe('maxTokens')
  await expect(app.prompt.outputTokens).toHaveCount(4)

  // q4: MatMulNBits (a com.microsoft contrib op) runs in onnxruntime-web too.
  await page.getByTestId('loader.dtype').selectOption('q4')
  await app.loader.load.click()
  await expect(app.loader.status).toContainText('from onnx/model_q4.onnx', { timeout: LOAD_TIMEOUT })
  expect(new URL(page.url()).searchParams.get('dtype')).toBe('q4')
  await app.prompt.generateButton.click()
  expect(await app.prompt.waitUntilFinished()).toBe('maxTokens')
  await expect(app.prompt.outputTokens).toHaveCount(4)
  await expect(app.shell.error).toHaveCount(0)
})
