// Any decoder in the app, past the Llama of onnxModel.spec.ts: tiny GPT-NeoX and Gemma 2 exports
// (test-fixtures/onnx/*, made by scripts/onnx-fixtures with PyTorch references in expected.json) load from the
// stand-in Hub, name their family, and give the CLI's greedy tokens — which are PyTorch's — in both steering columns;
// and on the ONNX Llama the two other things a user does with a model run in the tab from a picked text corpus:
// "Analyse this SAE" (dashboards with the fixture's words, logit effects, the map) and training a new SAE.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Locator, Page } from '@playwright/test'
import { expect, LOAD_TIMEOUT, SteeringView, test, TrainingView, type BackendParam } from './fixtures.ts'
import { startHubServer, type HubServer } from './hubServer.ts'

const root = path.resolve(import.meta.dirname, '..')
const fixture = (family: string) => path.join(root, 'test-fixtures/onnx', family)

/** The fixtures' WordLevel vocabulary (ids 3–18; the rest are filler `tN` tokens): what a corpus may say. */
const WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'dog', 'ran', 'a', 'big', 'red', 'ball', 'and', 'to', 'park', '.', 'is'] as const

interface Family {
  /** config.json's model_type, as the status line names it. */
  family: string
  repo: string
  /**
   * A clamp strong enough to change the greedy tokens. Gemma 2 scales its embeddings by √d_model and ties them to the
   * unembedding: the residual stream (‖x‖ ≈ 20 at blocks.2, against ≈ 8 in the other fixtures) points at the current
   * token, so it repeats "mat" by a margin of 4.4 logits, and expected.json's clamp (25 · ‖W_dec‖ 0.51 ≈ 13) leaves it
   * unchanged; 100 (≈ 51 along the direction) outweighs the stream.
   */
  clamp: (feature: number, c: number) => string
}

const FAMILIES: Family[] = [
  { family: 'gpt_neox', repo: 'monoscope/tiny-gpt-neox-onnx', clamp: (feature, c) => `${feature}=${c}` },
  { family: 'gemma2', repo: 'monoscope/tiny-gemma2-onnx', clamp: (feature) => `${feature}=100` },
]

interface Expected {
  prompt_text: string
  prompt: number[]
  greedy: number[]
  steering: { feature: number; c: number }
}

let hub: HubServer
let corpusDir: string
let corpusFile: string
test.beforeAll(async () => {
  hub = await startHubServer(Object.fromEntries(FAMILIES.map((f) => [f.repo, fixture(f.family)])))
  // 240 short sentences of the fixture words, seeded: ~1,700 tokens, enough for a 256-token analysis and a run's buffer.
  corpusDir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-onnx-corpus-'))
  corpusFile = path.join(corpusDir, 'fixture-words.txt')
  let state = 12345
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const words = WORDS.filter((w) => w !== '.')
  const sentence = () => Array.from({ length: 4 + Math.floor(next() * 6) }, () => words[Math.floor(next() * words.length)]).join(' ') + ' .'
  await writeFile(corpusFile, Array.from({ length: 240 }, sentence).join('\n') + '\n')
})
test.afterAll(async () => {
  await hub.close()
  await rm(corpusDir, { recursive: true, force: true })
})

const modelUrl = (repo: string) => `${hub.url}/${repo}/resolve/main`

async function openModel(page: Page, model: string, backend: BackendParam, hash: string): Promise<void> {
  await page.goto(`./?${new URLSearchParams({ model, ...(backend !== 'auto' ? { backend } : {}) })}${hash}`)
}

/** Every token shown in `strips` is one of the fixture's words (or its BOS), and some are words. */
async function expectFixtureWords(strips: Locator): Promise<void> {
  const tokens = (await strips.locator('.tok').allTextContents()).map((t) => t.trim())
  expect(tokens.length).toBeGreaterThan(0)
  expect(tokens.filter((t) => t !== '<s>' && !(WORDS as readonly string[]).includes(t))).toEqual([])
  expect(tokens.some((t) => (WORDS as readonly string[]).includes(t))).toBe(true)
}

for (const f of FAMILIES) {
  test(`an ONNX ${f.family} loads, names its family, steers exactly as the CLI and PyTorch do, and inspects with its SAE`, async ({ app, page, backend }, testInfo) => {
    // onnxruntime runs WASM on a software WebGPU adapter, so the webgpu project would repeat this test at twice the
    // cost; it covers the ONNX Llama (onnxModel.spec.ts), and this file's analysis and training tests, on webgpu.
    test.skip(backend === 'webgpu', 'the families run on WASM: onnxruntime uses WASM on SwiftShader')
    const expected = JSON.parse(readFileSync(path.join(fixture(f.family), 'expected.json'), 'utf8')) as Expected
    const model = modelUrl(f.repo)
    const sae = `${model}/sae`
    // Asynchronously: the stand-in Hub runs in this process and must answer the CLI.
    const args = ['generate', '--model', model, '--sae', sae, '--prompt', expected.prompt_text, '--clamp', f.clamp(expected.steering.feature, expected.steering.c)]
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'bin/monoscope.mjs'), ...args, '--temperature', '0', '--max-tokens', '6', '--seed', '1', '--json'], { cwd: root })
    const cli = JSON.parse(stdout) as { prompt_tokens: number[]; default: { tokens: number[] }; steered: { tokens: number[] }; share: string }
    // The CLI reads the prompt as PyTorch did and its greedy tokens are PyTorch's (the reference the app must match).
    expect(cli.prompt_tokens).toEqual(expected.prompt)
    expect(cli.default.tokens).toEqual(expected.greedy)
    expect(cli.steered.tokens).not.toEqual(cli.default.tokens) // the clamp steers: a match below is not two defaults

    await new SteeringView(page).expectCliTokens(cli, backend)
    await expect(app.loader.status).toContainText(`${f.family} on onnxruntime`, { timeout: LOAD_TIMEOUT })
    await testInfo.attach(`${f.family}-steering`, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

    await openModel(page, model, backend, '#/inspect')
    await expect(app.loader.status).toContainText(`${f.family} on onnxruntime`, { timeout: LOAD_TIMEOUT })
    await app.saes.loadSource(sae)
    await expect(app.saes.item(sae)).toBeVisible({ timeout: LOAD_TIMEOUT })
    const features = await app.inspector.featuresOf(sae, expected.prompt_text)
    expect(features.length).toBeGreaterThan(5)
    await expect(app.inspector.token('mat')).toHaveCount(1) // the fixture's tokenizer, in the tab: words, not ids
    await expect(app.shell.error).toHaveCount(0)
  })
}

test('on an ONNX Llama, "Analyse this SAE" from a picked text gives dashboards of the fixture words, logit effects and a map', async ({ app, page, backend, smallRuns }, testInfo) => {
  test.setTimeout(900_000)
  const model = modelUrl('monoscope/tiny-llama-onnx')
  const sae = `${model}/sae`
  await openModel(page, model, backend, '#/features')
  await expect(app.loader.status).toContainText('llama on onnxruntime', { timeout: LOAD_TIMEOUT })
  await app.saes.loadSource(sae)
  await expect(app.saes.item(sae)).toBeVisible({ timeout: LOAD_TIMEOUT })

  await page.getByTestId('features.sae').selectOption(sae)
  await expect(page.getByTestId('analyse.panel')).toBeVisible()
  // TinyWorld's generator is for TinyWorld: any other model starts on a text file, and waits for one.
  await expect(page.getByTestId('analyse.corpus')).toHaveValue('text')
  await expect(page.getByTestId('analyse.start')).toBeDisabled()
  await page.getByTestId('analyse.text-file').setInputFiles(corpusFile)
  await page.getByTestId('analyse.tokens').fill(smallRuns ? '512' : '1500')
  await expect(page.getByTestId('analyse.map')).toBeChecked()
  await page.getByTestId('analyse.start').click()
  await expect(page.getByTestId('analyse.progress')).toBeVisible()
  await app.features.waitUntilReady(600_000)
  await expect(app.features.status).toContainText('of 128 features')
  await expect(page.getByTestId('analyse.error')).toHaveCount(0)

  // The first listed feature: its top examples are the corpus's words, and its decoder direction has logit effects.
  const first = app.features.rows.first()
  const index = Number(await first.getAttribute('data-index'))
  await first.getByTestId('features.link').click()
  await app.dashboard.waitFor(index)
  await expect(app.dashboard.topExamples.getByTestId('dashboard.example').first()).toBeVisible()
  await expectFixtureWords(app.dashboard.topExamples)
  await expect(page.getByTestId('dashboard.promoted').locator('li').first()).toBeVisible()
  await expect(page.getByTestId('dashboard.suppressed').locator('li').first()).toBeVisible()
  await testInfo.attach('llama-dashboard', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  // Its map: one point per feature, and a point opens that feature of this SAE.
  await page.goBack()
  await app.features.waitUntilReady()
  await page.getByTestId('features.map-link').click()
  expect(await app.map.waitUntilDrawn()).toBe(128)
  await app.map.clickSamplePoint()
  await expect(app.dashboard.panel).toHaveAttribute('data-state', 'ready', { timeout: 60_000 })
  await expect(page).toHaveURL(new RegExp(`#/feature/${encodeURIComponent(sae).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d+$`))
  await expect(app.shell.error).toHaveCount(0)
})

test('on an ONNX Llama, an SAE trains from a picked text, its loss falls, and its features open', async ({ app, page, backend, smallRuns }, testInfo) => {
  test.setTimeout(900_000)
  const train = new TrainingView(page)
  await openModel(page, modelUrl('monoscope/tiny-llama-onnx'), backend, '#/train')
  await expect(app.loader.status).toContainText('llama on onnxruntime', { timeout: LOAD_TIMEOUT })
  // A model that does not read TinyWorld starts on a text corpus (the generator's words are not in its vocabulary).
  await expect(page.getByTestId('train.corpus')).toHaveValue('text')
  await expect(train.start).toBeDisabled() // no text yet
  await page.getByTestId('train.text-file').setInputFiles(corpusFile)
  await expect(page.getByTestId('train.text-file').locator('xpath=..')).toContainText('240 lines')
  await page.getByTestId('train.hook').selectOption('blocks.1.hook_resid_post') // where the fixture's own SAE reads
  const name = `onnx-${testInfo.project.name}-${Date.now() % 100_000}`
  const k = 4
  await train.configure({ steps: smallRuns ? 40 : 120, batch: smallRuns ? 32 : 128, 'd-sae': 64, k }, name)
  await train.start.click()

  const run = train.run(name)
  await expect(run).toHaveAttribute('data-status', 'finished', { timeout: 600_000 })
  await expect(train.error).toHaveCount(0)
  const final = page.getByTestId('train.final')
  await expect(final).toBeVisible()
  const l0 = Number(await final.getAttribute('data-l0'))
  expect(l0).toBeGreaterThan(0)
  expect(l0).toBeLessThanOrEqual(k)
  const loss = page.locator('[data-testid="train.chart"][data-metric="loss"]')
  expect(Number(await loss.getAttribute('data-points'))).toBeGreaterThan(1)
  const [firstLoss, lastLoss] = [Number(await loss.getAttribute('data-first')), Number(await loss.getAttribute('data-last'))]
  testInfo.annotations.push({ type: 'onnx training', description: `loss ${firstLoss} → ${lastLoss}, final L0 ${l0} (${testInfo.project.name})` })
  expect(lastLoss).toBeLessThan(firstLoss)
  await testInfo.attach('llama-training', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  // The new SAE is loaded, and its dashboards (computed in the training worker, on the same text) open.
  const trained = page.locator(`[data-testid="sae.loaded-item"][data-sae-id^="trained/${name}-"]`)
  await expect(trained).toBeVisible({ timeout: LOAD_TIMEOUT })
  const trainedId = (await trained.getAttribute('data-sae-id'))!
  await train.button(run, 'dashboards').click()
  await app.features.waitUntilReady(600_000)
  await expect(app.features.status).toContainText('of 64 features')
  const first = app.features.rows.first()
  const index = Number(await first.getAttribute('data-index'))
  await first.getByTestId('features.link').click()
  await app.dashboard.waitFor(index)
  await expect(page).toHaveURL(new RegExp(`#/feature/${encodeURIComponent(trainedId).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${index}$`))
  await expectFixtureWords(app.dashboard.topExamples)
  await expect(app.shell.error).toHaveCount(0)
})
