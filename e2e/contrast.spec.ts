// Contrastive search on the default TinyWorld model and its committed 1,024-feature standard SAE: TinyWorld windows
// with the concept "bridge" against matched windows without it rank feature 123 first (an arc_bridge feature that
// promotes the bridge's Drosk and Velari names; `monoscope contrast --concept bridge --seed 1` gives the same at 8, 16,
// 32 and 64 windows), and by attribution to " Bridge" feature 444 (arc_bridge), as the CLI measured at 32 windows.
// The top feature's link opens its dashboard.
import { expect, LOAD_TIMEOUT, test } from './fixtures.ts'

const SAE = 'tinyworld/blocks.2.hook_resid_post/standard-1024'

test('contrast "bridge": an arc_bridge feature ranks first; it opens its dashboard', async ({ app, page, backend, smallRuns }, testInfo) => {
  await app.openRoute('#/contrast', { backend })
  await expect(app.saes.item(SAE)).toBeVisible({ timeout: LOAD_TIMEOUT })
  await page.getByTestId('contrast.sae').selectOption(SAE)
  // SwiftShader's WebGPU is ~100× slower: fewer windows and no backward pass, the same first feature.
  await app.contrast.byConcept('bridge', smallRuns ? { prompts: 8, seed: 1 } : { prompts: 32, seed: 1, target: ' Bridge' })
  await expect(page.getByTestId('contrast.summary')).toContainText(`With: ${smallRuns ? 8 : 32} prompts, ${smallRuns ? 8 * 32 : 32 * 32} tokens`)
  const byActivation = await app.contrast.ranking('activation')
  expect(byActivation).toHaveLength(20)
  expect(byActivation[0]).toBe(123)
  if (smallRuns) await expect(page.getByTestId('contrast.table-attribution')).toHaveCount(0)
  else expect((await app.contrast.ranking('attribution'))[0]).toBe(444)
  await testInfo.attach('contrast-bridge', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  await page.getByTestId('contrast.table-activation').getByTestId('contrast.row').first().getByTestId('contrast.feature').click()
  await app.dashboard.waitFor(123)
  await expect(page).toHaveURL(/#\/feature\/.+\/123$/)
})
