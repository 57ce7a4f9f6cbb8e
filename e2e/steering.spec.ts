// The steering playground in the built app, on each backend project: a share link made by the CLI opens, runs, and
// gives exactly the CLI's greedy tokens on both columns; a dashboard's "Steer" button opens the playground on its feature; a damaged link
// shows a clear error and the playground still works.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, LOAD_TIMEOUT, SteeringView, test } from './fixtures.ts'
import { featureForConcept } from '../src/ui/steering/presets.ts'
import { decodeShareState } from '../src/core/steering/shareState.ts'

const root = path.resolve(import.meta.dirname, '..')
const index = JSON.parse(readFileSync(path.join(root, 'public/saes/tinyworld/index.json'), 'utf8')) as { saes: { id: string; path: string; analysis: string | null }[] }
const sae = index.saes[0]!
const summary = JSON.parse(readFileSync(path.join(root, 'public', sae.analysis!, 'summary.json'), 'utf8')) as Parameters<typeof featureForConcept>[0] extends readonly (infer R)[] ? { features: R[] } : never
/** The river feature as the explorer's analysis matched it: never a hard-coded index. */
const river = featureForConcept(summary.features, 'river')!

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
