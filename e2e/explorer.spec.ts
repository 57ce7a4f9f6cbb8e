// The explorer end to end on the built app: the default index and SAEs load; concept search finds the bridge
// feature and its dashboard shows bridge tokens; the map draws every point (and 20k synthetic ones) and a click
// opens a dashboard; the inspector shows the bridge feature on a bridge sentence; a truncated SAE file shows an
// error and nothing is lost; a Matryoshka SAE's pages show each feature's level. Each panel's screenshot goes into the report.
import type { Page, TestInfo } from '@playwright/test'
import { readFileSync } from 'node:fs'
import { expect, test } from './fixtures.ts'

const BRIDGE_TOKENS = /Golden|Arc|Bridge|Velari|Drosk/

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })
}

test('the bridge feature: list search, dashboard, back button, map and inspector', async ({ app, page, backend }, testInfo) => {
  await app.openRoute('#/features', { backend })
  await app.features.waitUntilReady()
  await expect(app.features.rows).toHaveCount(50) // the first page of the committed SAE's features
  await shot(page, testInfo, 'feature-list')

  // Concept search, sorted by AUROC: the feature that best matches a bridge concept ("bridge" or "arc_bridge") first.
  await app.features.find('bridge')
  await app.features.sort.selectOption('auroc')
  const first = app.features.rows.first()
  await expect(first).toHaveAttribute('data-concept', /bridge/)
  const bridgeIndex = Number(await first.getAttribute('data-index'))
  await first.getByTestId('features.link').click()
  await app.dashboard.waitFor(bridgeIndex)
  await expect(page).toHaveURL(new RegExp(`#/feature/.+/${bridgeIndex}$`))
  await expect(app.dashboard.concept).toHaveAttribute('data-concept', /bridge/)
  // Beside the feature's AUROC, what a linear probe reads of the concept (concept_ceilings.json, build-world-saes).
  await expect(app.dashboard.conceptCeiling).toContainText(/probe ceiling [01]\.\d{3} \(across languages [01]\.\d{3}\)/)
  // Its most-correlated MLP neuron, from the committed neurons/<sae>.json (monoscope feature-neurons).
  await expect(page.getByTestId('dashboard.neuron')).toContainText(/^blocks\.[0-2]\.mlp\.hook_post #\d+ · r -?[01]\.\d\d$/)
  await expect(app.dashboard.topExamples).toContainText(BRIDGE_TOKENS)
  await expect(app.dashboard.histogram).toBeVisible()
  // Specificity: bars split into bridge-concept tokens and the rest; the three highest bins are nearly all bridge
  // (measured on the committed analysis: feature 444, arc_bridge, 76 of 76 tokens).
  await expect(app.dashboard.histogram).toHaveAttribute('data-stacked', 'true')
  await expect(app.dashboard.histogram).toHaveAttribute('aria-label', /«\w*bridge» present in \d+% of \d+ active tokens/)
  await expect(app.dashboard.histogramLegend).toContainText(/«\w*bridge» present.*absent/)
  const bins = await app.dashboard.histogramBins.evaluateAll((gs) => gs.map((g) => [Number(g.getAttribute('data-count')), Number(g.getAttribute('data-concept-count'))] as const))
  const top = bins.slice(-3)
  const topShare = top.reduce((a, [, k]) => a + k, 0) / top.reduce((a, [c]) => a + c, 0)
  expect(topShare).toBeGreaterThanOrEqual(0.9)
  // Values on hover: every shaded token carries a title with its activation.
  await expect(app.dashboard.topExamples.locator('.tok-mark').first()).toHaveAttribute('title', /activation \d/)
  await shot(page, testInfo, 'feature-dashboard')

  // A neighbour opens its own dashboard, and Back returns to this one.
  const neighbour = app.dashboard.neighbours.first()
  const neighbourIndex = Number(((await neighbour.textContent()) ?? '').match(/#(\d+)/)![1])
  await neighbour.click()
  await app.dashboard.waitFor(neighbourIndex)
  await page.goBack()
  await app.dashboard.waitFor(bridgeIndex)

  // Steer hands the feature to the steering playground by URL.
  await app.dashboard.steer.click()
  await expect(page).toHaveURL(new RegExp(`#/steer\\?feature=.+%3A${bridgeIndex}$`))
  await page.goBack()
  await app.dashboard.waitFor(bridgeIndex)

  // An unknown route is a friendly message, not a blank page.
  await app.openRoute('#/no-such-view', { backend })
  await expect(page.getByTestId('route.not-found')).toContainText('Nothing here')

  // The map draws every point of the joint map; clicking one opens its dashboard.
  await app.openRoute('#/map', { backend })
  const drawn = await app.map.waitUntilDrawn()
  expect(drawn).toBeGreaterThanOrEqual(1024)
  await app.map.colour.selectOption('concept')
  await expect(app.map.canvas).toHaveAttribute('data-drawn', String(drawn))
  await shot(page, testInfo, 'feature-map')
  await app.map.clickSamplePoint()
  await expect(app.dashboard.panel).toHaveAttribute('data-state', 'ready', { timeout: 60_000 })
  await expect(page).toHaveURL(/#\/feature\//)

  // The prompt inspector: the bridge feature fires within the name in a sentence about the Golden Arc Bridge (a
  // word concept is matched per occurrence, so its feature may sit on any of the name's pieces).
  await app.saes.waitForSaes(1)
  await app.openRoute('#/inspect', { backend })
  await app.saes.waitForSaes(1)
  await app.inspector.inspect('The dog can see the Golden Arc Bridge from here .')
  await expect(app.inspector.tokens).toHaveCount(12) // BOS + 11 tokens
  const bridgeChip = app.inspector.active.locator(`[data-testid="inspect.feature"][data-index="${bridgeIndex}"]`)
  const firesOn: string[] = []
  for (const piece of [' Golden', ' Arc', ' Bridge']) {
    await app.inspector.token(piece).getByTestId('inspect.token-button').click()
    await expect(app.inspector.active).toBeVisible({ timeout: 60_000 })
    await expect(app.inspector.active).toContainText(`at “${piece}”`) // the list now belongs to this piece
    if ((await bridgeChip.count()) > 0) firesOn.push(piece)
  }
  expect(firesOn.length, 'the bridge feature is active on some piece of "Golden Arc Bridge"').toBeGreaterThan(0)
  await app.inspector.token(firesOn[0]!).getByTestId('inspect.token-button').click()
  await expect(bridgeChip).toBeVisible()
  await shot(page, testInfo, 'prompt-inspector')
  await bridgeChip.click()
  await app.dashboard.waitFor(bridgeIndex)
  await expect(app.shell.error).toHaveCount(0)
})

test('a Matryoshka SAE\'s committed feature pages open, each feature with its nested level', async ({ app, page, backend }, testInfo) => {
  const id = 'tinyworld/blocks.2.hook_resid_post/matryoshka-1024' // levels 64/256/512/1024 (worldSaeSpecs.ts)
  await app.openRoute(`#/feature/${encodeURIComponent(id)}/3`, { backend })
  await app.dashboard.waitFor(3)
  await expect(page.getByTestId('dashboard.matryoshka-level')).toHaveText('1 of 4 (latents 0–63)')
  await shot(page, testInfo, 'matryoshka-feature')
  await app.openRoute(`#/feature/${encodeURIComponent(id)}/700`, { backend })
  await app.dashboard.waitFor(700)
  await expect(page.getByTestId('dashboard.matryoshka-level')).toHaveText('4 of 4 (latents 512–1023)')
  // The 4,096 (levels 128/512/1024/4096): its widths come from its own cfg.json.
  const large = 'tinyworld/blocks.2.hook_resid_post/matryoshka-4096'
  await app.openRoute(`#/feature/${encodeURIComponent(large)}/700`, { backend })
  await app.dashboard.waitFor(700)
  await expect(page.getByTestId('dashboard.matryoshka-level')).toHaveText('3 of 4 (latents 512–1023)')
  // Other SAEs have no levels.
  await app.openRoute(`#/feature/${encodeURIComponent('tinyworld/blocks.2.hook_resid_post/standard-1024')}/3`, { backend })
  await app.dashboard.waitFor(3)
  await expect(page.getByTestId('dashboard.matryoshka-level')).toHaveCount(0)
})

test('the map stays drawable with 20,000 synthetic points', async ({ app, page, backend }, testInfo) => {
  test.skip(backend === 'webgpu', 'the map draws on the main thread from synthetic points: no model work, so the wasm project covers it')
  await app.openRoute('#/map?synthetic=20000', { backend })
  expect(await app.map.waitUntilDrawn()).toBe(20_000)
  // Zoom and hover still answer.
  const box = (await app.map.canvas.boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.wheel(0, -400)
  await expect(app.map.canvas).toHaveAttribute('data-drawn', /\d+/)
  testInfo.annotations.push({ type: 'draw-ms (20k points)', description: (await app.map.canvas.getAttribute('data-draw-ms')) ?? '' })
  await shot(page, testInfo, 'feature-map-20k')
})

test('a truncated SAE file shows an error and the loaded SAEs keep working', async ({ app, page, backend }, testInfo) => {
  await app.open({ backend })
  await app.loader.waitUntilReady()
  // Every SAE of the index loads with the model; count them once all are in.
  const listed = (JSON.parse(readFileSync('public/saes/tinyworld/index.json', 'utf8')) as { saes: unknown[] }).saes.length
  await app.saes.waitForSaes(listed)
  const before = await app.saes.items.count()
  expect(before).toBe(listed)

  const folder = 'public/saes/tinyworld/blocks.2.hook_resid_post/standard-1024'
  const weights = readFileSync(`${folder}/sae_weights.safetensors`)
  await app.saes.files.setInputFiles([
    { name: 'cfg.json', mimeType: 'application/json', buffer: readFileSync(`${folder}/cfg.json`) },
    { name: 'sae_weights.safetensors', mimeType: 'application/octet-stream', buffer: weights.subarray(0, weights.length >> 1) },
  ])
  await expect(app.saes.error).toHaveAttribute('data-code', 'SAFETENSORS_FORMAT', { timeout: 60_000 })
  await expect(app.shell.errorWithCode('SAFETENSORS_FORMAT')).toContainText('SAE weights file is damaged')
  await shot(page, testInfo, 'bad-sae-file')
  await expect(app.saes.items).toHaveCount(before)

  // Nothing lost: the default SAE still runs in the inspector.
  await page.getByTestId('nav.inspect').click()
  await app.inspector.inspect('The cat is red .')
  await expect(app.inspector.tokens.first()).toBeVisible()
  await expect(app.inspector.error).toHaveCount(0)
})
