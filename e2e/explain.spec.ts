// Explanations in the built app. The default opens with the committed offline explanation and its scores on the
// bridge feature (#444 of standard-1024) and in the list; an edit (Enter saves, Escape cancels) is scored, found by the
// list's search, survives a reload, is exported in Neuronpedia's shape, and Reset brings back the file's. An LLM
// (the stand-in OpenAI-compatible server, started here on a free port) explains and scores ten features with a
// progress bar while a 429 and a 500 are retried; a rerun takes them from the cache and reports two features that
// fail every attempt; the API key appears in no URL, export, storage or console message, only in Authorization.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, LOAD_TIMEOUT, test } from './fixtures.ts'
import { startStandInLlmServer } from '../src/core/autointerp/llm/testing/standInLlmServer.ts'

const SAE = 'tinyworld/blocks.2.hook_resid_post/standard-1024'
const BRIDGE = 444
const KEY = 'sk-e2e-d0-not-leak-7f3a'
/** The committed explanation of the bridge feature (what `npm run build:analysis` wrote), read from its summary. */
const committed = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../public/analysis/tinyworld/blocks.2.hook_resid_post/standard-1024/summary.json'), 'utf8')) as {
  features: { explanation: string | null; explanation_score: number | null }[]
}).features[BRIDGE]!
const SCORE = String(committed.explanation_score)
const featureHash = (index: number) => `#/feature/${encodeURIComponent(SAE)}/${index}`

interface Exported {
  index: number
  explanations: { description: string; explanationModelName: string; typeName: string; scores: { explanationScoreTypeName: string; value: number }[] }[]
}

test("the bridge feature's explanation: shown with scores, edited, kept over a reload, exported and reset", async ({ app, page, backend }, testInfo) => {
  await app.openRoute(featureHash(BRIDGE), { backend })
  await app.dashboard.waitFor(BRIDGE)
  const ex = app.explanation
  // The committed offline explanation (monoscope explain): the concept with the words it fires on, and its scores.
  await expect(ex.block).toHaveAttribute('data-source', 'file')
  expect(committed.explanation).toMatch(/^concept "arc_bridge": .*«Bridge»/)
  await expect(ex.text).toHaveText(committed.explanation!)
  await expect(ex.method).toHaveText('offline: TinyWorld concept')
  await expect(ex.score).toHaveAttribute('data-score', SCORE)
  await expect(ex.score).toHaveText(committed.explanation_score!.toFixed(2))
  await expect(ex.detection).toHaveText(/^0\.\d\d$/)
  await expect(ex.explainer).toContainText('monoscope-offline')
  await expect(ex.score).toHaveAttribute('title', /correlation with the true activations/)
  const fileDetection = Number(await ex.detection.getAttribute('data-score'))

  // An edit: Escape leaves the file's, Enter saves and scores it with the token simulator.
  await ex.write('«Bridge» after «Arc» zebra-note', 'Escape')
  await expect(ex.block).toHaveAttribute('data-source', 'file')
  await ex.write('«Bridge» after «Arc» zebra-note', 'Enter')
  await expect(ex.block).toHaveAttribute('data-source', 'user')
  await expect(ex.text).toHaveText('«Bridge» after «Arc» zebra-note')
  await expect(ex.method).toHaveText('your edit')
  await expect(ex.score).toHaveAttribute('data-score', /^0\.\d+$/) // «Bridge» after «Arc»: part of the feature, so between 0 and 1
  await expect(ex.userNote).toContainText('token-pattern simulator')
  await expect(page.getByTestId('dashboard.explanation-file')).toContainText('concept "arc_bridge"')
  await testInfo.attach('explanation-edited', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  // The list shows and finds the edit (the search reads labels, the user's included).
  await app.openRoute(`#/features/${encodeURIComponent(SAE)}`, { backend })
  await app.features.waitUntilReady()
  await app.features.find('zebra-note')
  await expect(app.features.rows).toHaveCount(1)
  await expect(app.features.rows.first()).toHaveAttribute('data-index', String(BRIDGE))
  await expect(app.features.rows.first().getByTestId('features.label')).toHaveAttribute('data-source', 'user')

  // A reload keeps it (IndexedDB); the export lists it first, then the file's, in Neuronpedia's shape.
  await app.openRoute(featureHash(BRIDGE), { backend })
  await page.reload()
  await app.dashboard.waitFor(BRIDGE)
  await expect(ex.text).toHaveText('«Bridge» after «Arc» zebra-note')
  const exported = (await ex.downloadJson()) as unknown as Exported
  expect(exported.index).toBe(BRIDGE)
  expect(exported.explanations.map((e) => [e.description.slice(0, 20), e.typeName])).toEqual([
    ['«Bridge» after «Arc»', 'user'],
    ['concept "arc_bridge"', 'monoscope-concept'],
  ])
  expect(exported.explanations[1]!.scores).toEqual([
    { explanationScoreTypeName: 'simulation', value: committed.explanation_score },
    { explanationScoreTypeName: 'detection', value: fileDetection },
  ])

  // Reset: the file's explanation again, also after a reload.
  await ex.reset.click()
  await expect(ex.block).toHaveAttribute('data-source', 'file')
  await page.reload()
  await app.dashboard.waitFor(BRIDGE)
  await expect(ex.block).toHaveAttribute('data-source', 'file')
  await expect(ex.reset).toHaveCount(0)

  // In the list, the default shows the file's explanation and score on the bridge feature.
  await app.openRoute(`#/features/${encodeURIComponent(SAE)}`, { backend })
  await app.features.waitUntilReady()
  await app.features.find(String(BRIDGE))
  const row = app.features.rows.first()
  await expect(row).toHaveAttribute('data-index', String(BRIDGE))
  await expect(row.getByTestId('features.label')).toHaveAttribute('data-source', 'file')
  await expect(row.getByTestId('features.label')).toHaveAttribute('data-score', SCORE)
  await expect(row.getByTestId('features.label')).toContainText('concept "arc_bridge"')
  await expect(row.getByTestId('features.label')).toContainText(committed.explanation_score!.toFixed(2))
})

test('an LLM explains and scores ten features: retries, cache, failures reported, the key only in Authorization', async ({ app, page, backend }, testInfo) => {
  test.skip(backend === 'webgpu', 'the LLM path is fetch on the main thread and the same on every backend: the wasm project covers it')
  const server = await startStandInLlmServer({ apiKey: KEY })
  const consoleLines: string[] = []
  const urls: string[] = []
  page.on('console', (m) => consoleLines.push(m.text()))
  page.on('pageerror', (e) => consoleLines.push(e.message))
  page.on('request', (r) => urls.push(r.url()))
  page.on('framenavigated', (f) => urls.push(f.url()))
  try {
    await app.openRoute(`#/features/${encodeURIComponent(SAE)}`, { backend })
    await app.features.waitUntilReady()
    // The SAE loads after the model; its weights hash keys the cache.
    await expect(app.saes.item(SAE)).toHaveAttribute('data-weights-sha256', /^[0-9a-f]{64}$/, { timeout: LOAD_TIMEOUT })

    await app.llm.configure({ baseUrl: server.url, model: 'stand-in-model', apiKey: KEY, scope: 'live', limit: 10 })
    server.delayMs = 150 // slow enough to see the bar move
    server.failNext([429, 500])
    await app.llm.start.click()
    await expect(app.llm.status).toHaveAttribute('data-status', 'running')
    await expect(page.getByTestId('llm.status-text')).toHaveText(/^Explaining: [1-9] of 10 · about \d+ (s|min) left$/, { timeout: 60_000 })
    await expect(app.llm.status).toHaveAttribute('data-status', 'done', { timeout: LOAD_TIMEOUT })
    await expect(page.getByTestId('llm.status-text')).toHaveText(/^Done: 10 of 10 explained \(0 from the cache\), 0 failed/)
    await expect(app.llm.progress).toHaveAttribute('aria-valuenow', '100')
    const chats = () => server.requests.filter((r) => r.method === 'POST')
    expect(chats()).toHaveLength(10 * 3 + 2) // explain, simulate, detect per feature; the 429 and the 500 were retried
    await testInfo.attach('llm-done', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

    // The list's first ten live features now show the LLM's labels and scores.
    await expect(page.locator('[data-testid="features.label"][data-source="llm"]')).toHaveCount(10)
    const live = await app.features.rows.evaluateAll((rows) => rows.filter((r) => !r.classList.contains('dead')).map((r) => Number(r.getAttribute('data-index'))))

    // A rerun over twelve: ten from the cache (no requests), two new ones that fail every attempt, each listed.
    server.delayMs = 0
    server.failWhen('', 503)
    const before = chats().length
    await app.llm.limit.fill('12')
    expect(await app.llm.run()).toBe('done')
    await expect(page.getByTestId('llm.status-text')).toHaveText(/^Done: 10 of 12 explained \(10 from the cache\), 2 failed/)
    await expect(app.llm.failures).toHaveCount(2)
    expect(await app.llm.failures.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-feature'))))).toEqual(live.slice(10, 12))
    await expect(app.llm.failures.first()).toContainText(/503.*gave up after 4 attempts/)
    expect(chats().length - before).toBe(2 * 4)

    // A dashboard shows the LLM's explanation with both scores; its export names the model and holds no key.
    await app.openRoute(featureHash(live[0]!), { backend })
    await app.dashboard.waitFor(live[0]!)
    await expect(app.explanation.block).toHaveAttribute('data-source', 'llm')
    await expect(app.explanation.method).toHaveText('LLM')
    await expect(app.explanation.explainer).toContainText('stand-in-model')
    await expect(app.explanation.score).toHaveAttribute('data-score', /^-?[01](\.\d+)?$/)
    await expect(app.explanation.detection).toHaveAttribute('data-score', /^[01](\.\d+)?$/)
    const exported = await app.explanation.downloadJson()
    const first = (exported as unknown as Exported).explanations[0]!
    expect(first).toMatchObject({ explanationModelName: 'stand-in-model', typeName: 'oai_token-act-pair' })
    expect(first.scores.map((s) => s.explanationScoreTypeName)).toEqual(['simulation', 'detection'])

    // The key: only in the Authorization header of the stand-in's chat requests.
    expect(JSON.stringify(exported)).not.toContain(KEY)
    for (const r of server.requests) {
      expect(r.url + r.body).not.toContain(KEY)
      if (r.method === 'POST') expect(r.headers.authorization).toBe(`Bearer ${KEY}`)
    }
    expect(urls.length).toBeGreaterThan(10)
    expect(urls.filter((u) => u.includes(KEY) || u.includes(encodeURIComponent(KEY)))).toEqual([])
    expect(page.url()).not.toContain(KEY)
    expect(consoleLines.filter((l) => l.includes(KEY))).toEqual([])
    const stored = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)))
    expect(stored).not.toContain(KEY) // "remember the key" was left off
    await expect(app.shell.error).toHaveCount(0)
  } finally {
    await server.close()
  }
})
