// SAEs from the Hub, end to end, against a local stand-in Hub (`?hub=` points 'hf:' sources at it): an SAE from
// `hf:owner/repo` with a subfolder loads and gives the inspector the same features as the committed copy of the
// same weights; a missing repo and a truncated weights file each show a clear error, and nothing loaded is lost.
import { expect, LOAD_TIMEOUT, test } from './fixtures.ts'
import { startHubServer, type HubServer } from './hubServer.ts'

const TEXT = 'The dog can see the Golden Arc Bridge from here .'
const COMMITTED = 'tinyworld/blocks.2.hook_resid_post/standard-1024'
const FROM_HUB = 'hf:monoscope/tinyworld-saes/standard-1024'

let hub: HubServer
test.beforeAll(async () => {
  hub = await startHubServer()
})
test.afterAll(async () => {
  await hub.close()
})

test('an SAE from a Hub repo (a local mirror) loads, inspects like its committed copy, and bad repos fail clearly', async ({ app, page, backend }, testInfo) => {
  const search = new URLSearchParams({ hub: hub.url, ...(backend !== 'auto' ? { backend } : {}) })
  await page.goto(`./?${search}#/inspect`)
  await app.loader.waitUntilReady()
  await app.saes.waitForSaes(4)

  const load = async (repo: string, subfolder: string) => {
    await page.getByTestId('sae.source').fill(repo)
    await page.getByTestId('sae.subfolder').fill(subfolder)
    await page.getByTestId('sae.load').click()
  }
  await load('hf:monoscope/tinyworld-saes', 'standard-1024')
  await expect(page.locator(`[data-testid="sae.loaded-item"][data-sae-id="${FROM_HUB}"]`)).toBeVisible({ timeout: LOAD_TIMEOUT })
  expect(hub.requests).toContain('/monoscope/tinyworld-saes/resolve/main/standard-1024/sae_weights.safetensors')

  // The inspector gives the same features, with the same values, for the Hub copy and the committed one.
  const features = async (saeId: string) => {
    await page.getByTestId('inspect.sae').selectOption(saeId)
    await app.inspector.inspect(TEXT)
    const links = page.getByTestId('inspect.feature')
    await expect(links.first()).toHaveAttribute('href', new RegExp(encodeURIComponent(saeId).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    return links.evaluateAll((els) => els.map((e) => e.getAttribute('title')))
  }
  const fromHub = await features(FROM_HUB)
  expect(fromHub.length).toBeGreaterThan(10)
  expect(fromHub).toEqual(await features(COMMITTED))
  await testInfo.attach('hub-sae-inspected', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  // A repo the Hub does not have, then a damaged weights file: clear errors, and the five SAEs stay loaded.
  await load('hf:monoscope/missing', 'standard-1024')
  await expect(app.saes.error).toHaveAttribute('data-code', 'SOURCE_NOT_FOUND', { timeout: LOAD_TIMEOUT })
  await expect(app.saes.error).toContainText('monoscope/missing')
  await load('hf:monoscope/broken', 'standard-2048')
  await expect(app.saes.error).toHaveAttribute('data-code', 'SAFETENSORS_FORMAT', { timeout: LOAD_TIMEOUT })
  await expect(app.saes.items).toHaveCount(5)
  expect(await features(FROM_HUB)).toEqual(fromHub)
  await testInfo.attach('hub-errors', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })
})
