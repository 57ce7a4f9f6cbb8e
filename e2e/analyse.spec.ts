// "Analyse this SAE" end to end: an SAE the user drops in as files has no precomputed analysis, so the explorer
// offers one; a cancelled run leaves nothing behind; a finished one gives the SAE a feature list, dashboards (the
// bridge feature's top examples are about the bridge: these are the committed standard-1024 weights) and its own
// map, whose points open dashboards. Screenshots of each step go into the report.
import type { Page, TestInfo } from '@playwright/test'
import { expect, LOAD_TIMEOUT, test } from './fixtures.ts'

const SAE_ID = 'local:cfg.json+sae_weights.safetensors'
const BRIDGE_TOKENS = /Golden|Arc|Bridge|Velari|Drosk/

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })
}

test('a dropped SAE: analyse it (cancel, then run), then its list, bridge dashboard and map work', async ({ app, page, backend }, testInfo) => {
  test.setTimeout(900_000)
  await app.openRoute('#/features', { backend })
  await app.features.waitUntilReady()
  // Dropped on the SAEs box, as a user drags the two files of a SAELens folder in (the picker is covered by training.spec.ts).
  await page.evaluate(async (folder) => {
    const files = new DataTransfer()
    for (const name of ['cfg.json', 'sae_weights.safetensors']) files.items.add(new File([await (await fetch(`${folder}/${name}`)).blob()], name))
    const box = document.querySelector('[data-testid="sae.loader"]')!
    box.dispatchEvent(new DragEvent('dragover', { dataTransfer: files, bubbles: true, cancelable: true }))
    box.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }))
  }, 'saes/tinyworld/blocks.2.hook_resid_post/standard-1024')
  await expect(page.locator(`[data-testid="sae.loaded-item"][data-sae-id="${SAE_ID}"]`)).toBeVisible({ timeout: LOAD_TIMEOUT })
  await app.saes.waitForSaes(5) // the four committed ones too: the analysis lists neighbours in them

  // The list of an SAE without precomputed files offers the analysis instead of an error.
  await page.getByTestId('features.sae').selectOption(SAE_ID)
  const panel = page.getByTestId('analyse.panel')
  await expect(panel).toBeVisible()
  await expect(page.getByTestId('analyse.corpus')).toHaveValue('world')

  // A long analysis, cancelled: the panel says so and offers the analysis again.
  await page.getByTestId('analyse.tokens').fill('200000')
  await page.getByTestId('analyse.start').click()
  await expect(page.getByTestId('analyse.progress')).toBeVisible()
  await page.getByTestId('analyse.cancel').click()
  await expect(page.getByTestId('analyse.cancelled')).toBeVisible({ timeout: LOAD_TIMEOUT })
  await expect(page.getByTestId('analyse.start')).toBeEnabled()

  // A short one runs to the end, with its progress shown, and the list appears.
  await page.getByTestId('analyse.tokens').fill('6000')
  await page.getByTestId('analyse.start').click()
  await expect(page.getByTestId('analyse.progress')).toBeVisible()
  await shot(page, testInfo, 'analysing')
  await app.features.waitUntilReady(420_000)
  await expect(app.features.status).toContainText('of 1024 features')
  await shot(page, testInfo, 'analysed-feature-list')

  // Concept matches come with TinyWorld's labelled corpus: the best bridge detector's dashboard shows bridge tokens.
  await app.features.find('bridge')
  await app.features.sort.selectOption('auroc')
  const first = app.features.rows.first()
  await expect(first).toHaveAttribute('data-concept', /bridge/)
  const bridgeIndex = Number(await first.getAttribute('data-index'))
  await first.getByTestId('features.link').click()
  await app.dashboard.waitFor(bridgeIndex)
  await expect(page).toHaveURL(new RegExp(`#/feature/${encodeURIComponent(SAE_ID).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${bridgeIndex}$`))
  await expect(app.dashboard.topExamples).toContainText(BRIDGE_TOKENS)
  // Neighbours reach the committed SAEs loaded beside it: in standard-1024 (the same weights) it is itself, cosine 1.
  await expect(page.getByTestId('dashboard.neighbours')).toContainText('standard-4096')
  const itself = page.locator(`[data-testid="dashboard.neighbour"][href$="standard-1024/${bridgeIndex}"]`)
  await expect(itself).toHaveAttribute('title', /· cosine 1\.000$/) // its label, then the cosine
  await shot(page, testInfo, 'analysed-dashboard')

  // Its own map: one point per feature; a click opens that feature of this SAE.
  await page.goBack()
  await app.features.waitUntilReady()
  await page.getByTestId('features.map-link').click()
  expect(await app.map.waitUntilDrawn()).toBe(1024)
  await expect(page.getByTestId('map.choice')).toHaveValue(SAE_ID)
  await shot(page, testInfo, 'analysed-map')
  await app.map.clickSamplePoint()
  await expect(app.dashboard.panel).toHaveAttribute('data-state', 'ready', { timeout: 60_000 })
  await expect(page).toHaveURL(new RegExp(`#/feature/${encodeURIComponent(SAE_ID).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d+$`))
  await expect(app.shell.error).toHaveCount(0)
})
