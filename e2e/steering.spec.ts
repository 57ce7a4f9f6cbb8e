// The steering playground in the built app, on each backend project: a share link made by the CLI opens, runs, and
// gives exactly the CLI's greedy tokens on both columns; a dashboard's "Steer" button opens the playground on its feature; a damaged link
// shows a clear error and the playground still works.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, LOAD_TIMEOUT, settled, SteeringView, test } from './fixtures.ts'
import { bestDetector } from '../src/core/steering/conceptFeature.ts'
import { decodeShareState } from '../src/core/steering/shareState.ts'

const root = path.resolve(import.meta.dirname, '..')
const index = JSON.parse(readFileSync(path.join(root, 'public/saes/tinyworld/index.json'), 'utf8')) as { saes: { id: string; path: string; analysis: string | null }[] }
const sae = index.saes[0]!
const summary = JSON.parse(readFileSync(path.join(root, 'public', sae.analysis!, 'summary.json'), 'utf8')) as { features: Parameters<typeof bestDetector>[0] }
/** The river detector as the explorer's analysis matched it: never a hard-coded index. */
const river = { index: bestDetector(summary.features, 'river')! }

interface CliRun {
  default: { tokens: number[] }
  steered: { tokens: number[] }
  share: string
}

/** The CLI's greedy run of the same demo, in Node (tfjs-wasm, as the wasm project in the browser). */
function cliRun(args: string[]): CliRun {
  const out = execFileSync(process.execPath, [path.join(root, 'bin/monoscope.mjs'), 'generate', ...args, '--json'], { cwd: root, maxBuffer: 64 << 20 })
  return JSON.parse(out.toString()) as CliRun
}

test('a share link reproduces the CLI tokens of both columns, and its Copy link gives the same state', async ({ app, page, backend, smallRuns }, testInfo) => {
  // Greedy decoding: the CLI runs tfjs-wasm in Node, and WebGPU's float32 sums must land on the same argmax tokens.
  // SwiftShader is slow, so the webgpu project compares fewer tokens.
  const maxTokens = smallRuns ? 8 : 20
  const cli = cliRun(['--sae', path.join(root, 'public', sae.path), '--prompt', 'Some sums:', '--clamp', `${river.index}=10x`, '--temperature', '0', '--max-tokens', String(maxTokens), '--seed', '1'])
  expect(cli.steered.tokens).not.toEqual(cli.default.tokens) // the demo steers: a match below is not two defaults
  const steer = new SteeringView(page)
  await steer.openShare(cli.share, backend)
  const got = await steer.waitForRun()
  expect(got.default).toEqual(cli.default.tokens)
  expect(got.steered).toEqual(cli.steered.tokens)
  await expect(steer.features).toHaveCount(1)
  await expect(steer.features.first()).toHaveAttribute('data-index', String(river.index))
  await expect(page.getByTestId('steer.columns')).toHaveAttribute('data-divergence', /\d+/)
  await testInfo.attach('steering', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  await steer.copyLink.click()
  const url = new URL(await steer.link.inputValue())
  expect(url.hash).toBe('#/steer')
  // The same state, field for field, as the CLI made, but for the backend it names: the one this page ran on.
  const copied = await decodeShareState(url.searchParams.get('steer')!)
  expect({ ...copied, backend: null }).toEqual({ ...(await decodeShareState(cli.share)), backend: null })
  expect(copied.backend).toBe(backend === 'auto' ? 'wasm' : backend)
  await expect(app.shell.error).toHaveCount(0)
})

test("a dashboard's Steer button opens the playground on that feature", async ({ app, page, backend }) => {
  await app.openRoute(`#/feature/${encodeURIComponent(sae.id)}/${river.index}`, { backend })
  await app.dashboard.waitFor(river.index)
  await app.dashboard.steer.click()
  await expect(page).toHaveURL(/#\/steer\?feature=/)
  const steer = new SteeringView(page)
  await expect(steer.features).toHaveCount(1)
  await expect(steer.features.first()).toHaveAttribute('data-index', String(river.index))
  await expect(steer.run).toBeEnabled({ timeout: LOAD_TIMEOUT })
  await steer.run.click()
  const got = await steer.waitForRun()
  expect(got.steered.length).toBeGreaterThan(0)
})

test('a damaged share link shows an error and the playground still runs', async ({ app, page, backend }) => {
  const steer = new SteeringView(page)
  await steer.openShare('v1.not*base64', backend)
  await expect(steer.linkError).toBeVisible()
  await expect(steer.linkError).toHaveAttribute('data-reason', 'MALFORMED')
  await expect(steer.linkError).toContainText('base64url')
  await app.loader.waitUntilReady()
  await expect(steer.run).toBeEnabled({ timeout: LOAD_TIMEOUT })
  await steer.run.click()
  const got = await steer.waitForRun()
  expect(got.default.length).toBeGreaterThan(0)
})

test('a backend error in the middle of a steer is reported, and the next steer on the same backend gives the same tokens', async ({ app, page, backend }) => {
  // The first wave's WebGPU bug: one failed request left the worker's backend unusable until it was switched by hand.
  // The fault is provoked inside the model worker at the backend boundary: the active tfjs backend's next `read`
  // (what every async tensor read goes through; on WebGPU a mapAsync) rejects, as a lost device or a failed
  // buffer mapping does, while the run's tensors are live.
  const cli = cliRun(['--sae', path.join(root, 'public', sae.path), '--prompt', 'Some sums:', '--clamp', `${river.index}=10x`, '--temperature', '0', '--max-tokens', '4', '--seed', '1'])
  const steer = new SteeringView(page)
  await steer.openShare(cli.share, backend)
  const first = await steer.waitForRun()
  await expect(steer.steeredOutput).not.toHaveAttribute('data-status', 'done:error')
  const worker = page.workers().find((w) => w.url().includes('modelWorker'))
  if (!worker) throw new Error(`no model worker among ${page.workers().map((w) => w.url()).join(', ')}`)
  const workerTensors = () => worker.evaluate(() => (self as unknown as { _tfengine: { state: { numTensors: number } } })._tfengine.state.numTensors)
  // Settled, with the readings a second apart: after a run the worker still creates what it keeps (cached norms).
  const tensorsBefore = await settled(workerTensors, { every: 1000 })
  const armed = await worker.evaluate(() => {
    const backend = (self as unknown as { _tfengine: { backend: { read: (id: object) => Promise<unknown> } } })._tfengine.backend
    const read = backend.read.bind(backend)
    backend.read = () => {
      backend.read = read // once: the next request must meet a healthy backend
      return Promise.reject(new Error('injected backend fault: the buffer could not be mapped'))
    }
    return backend.constructor.name
  })
  expect(armed).not.toBe('')
  await steer.run.click()
  await expect(steer.steeredOutput).toHaveAttribute('data-status', 'done:error', { timeout: LOAD_TIMEOUT })
  await expect(app.shell.errorItems.filter({ hasText: 'injected backend fault' })).toHaveCount(1)

  await expect(steer.run).toBeEnabled({ timeout: LOAD_TIMEOUT })
  await steer.run.click()
  await expect(steer.steeredOutput).not.toHaveAttribute('data-status', 'done:error', { timeout: LOAD_TIMEOUT }) // started
  const again = await steer.waitForRun()
  await expect(steer.steeredOutput).not.toHaveAttribute('data-status', 'done:error')
  expect(again).toEqual(first)
  // The failed run released what it held: once settled, the worker holds as many tensors as before it
  // (src/workers/backendFaults.test.ts checks the same in Node for a fault at every read of every request).
  expect(await settled(workerTensors, { every: 1000 })).toBe(tensorsBefore)
})
