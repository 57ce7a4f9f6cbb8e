// An ONNX decoder in the app, on each backend project: a tiny Llama exported to ONNX (test-fixtures/onnx/llama) is
// served by the local stand-in Hub; a share link made by the CLI (onnxruntime-node) opens it in the browser
// (onnxruntime-web), where the status line names the engine, both columns give exactly the CLI's greedy tokens
// (the steered one through the graph split at the SAE's hook), and the inspector lists the SAE's features.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import path from 'node:path'
import { expect, LOAD_TIMEOUT, SteeringView, test } from './fixtures.ts'
import { startHubServer, type HubServer } from './hubServer.ts'

const root = path.resolve(import.meta.dirname, '..')
let hub: HubServer
test.beforeAll(async () => {
  hub = await startHubServer()
})
test.afterAll(async () => {
  await hub.close()
})

test('an ONNX Llama loads, steers exactly as the CLI does, and inspects with its SAE', async ({ app, page, backend }, testInfo) => {
  void app // its fixture attaches the console log
  const model = `${hub.url}/monoscope/tiny-llama-onnx/resolve/main`
  const sae = `${model}/sae`
  // Asynchronously: the stand-in Hub runs in this process and must answer the CLI.
  const { stdout: out } = await promisify(execFile)(process.execPath, [path.join(root, 'bin/monoscope.mjs'), 'generate', '--model', model, '--sae', sae, '--prompt', 'the cat sat', '--clamp', '31=40', '--temperature', '0', '--max-tokens', '6', '--seed', '1', '--json'], { cwd: root })
  const cli = JSON.parse(out) as { default: { tokens: number[] }; steered: { tokens: number[] }; share: string }
  expect(cli.steered.tokens).not.toEqual(cli.default.tokens) // the clamp steers: a match below is not two defaults

  const steer = new SteeringView(page)
  await steer.openShare(cli.share, backend)
  const got = await steer.waitForRun()
  expect(got.default).toEqual(cli.default.tokens)
  expect(got.steered).toEqual(cli.steered.tokens)
  await expect(page.getByTestId('loader.status')).toContainText('llama on onnxruntime', { timeout: LOAD_TIMEOUT })
  await testInfo.attach('onnx-steering', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  await page.goto(`./?${new URLSearchParams({ model, ...(backend !== 'auto' ? { backend } : {}) })}#/inspect`)
  await expect(page.getByTestId('loader.status')).toContainText('llama on onnxruntime', { timeout: LOAD_TIMEOUT })
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
