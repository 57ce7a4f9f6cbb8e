// Every steering preset steers, judged by its outcome: after clicking it and running, the concept's words appear in
// the steered column and not in the default one (for the suppression preset, the other way round). The feature
// each preset picks comes from the one rule (core/steering/conceptFeature.ts); this checks what a learner sees.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { conceptStartTokenIds } from '../src/core/world/conceptWords.ts'
import { TINYWORLD_PRESETS } from '../src/ui/steering/presets.ts'
import { expect, LOAD_TIMEOUT, SteeringView, test } from './fixtures.ts'

const root = path.resolve(import.meta.dirname, '..')
const index = JSON.parse(readFileSync(path.join(root, 'public/saes/tinyworld/index.json'), 'utf8')) as { saes: { analysis: string | null }[] }
const vocab = (JSON.parse(readFileSync(path.join(root, 'public', index.saes[0]!.analysis!, 'summary.json'), 'utf8')) as { vocab: string[] }).vocab

for (const preset of TINYWORLD_PRESETS) {
  test(`the "${preset.label}" preset ${preset.multiple < 0 ? 'removes' : 'writes'} ${preset.concept}`, async ({ app, page, backend }, testInfo) => {
    const words = conceptStartTokenIds(preset.concept, vocab)
    expect(words.size).toBeGreaterThan(0)
    await app.openRoute('#/steer', { backend })
    const steer = new SteeringView(page)
    await expect(steer.run).toBeEnabled({ timeout: LOAD_TIMEOUT })
    await page.getByTestId(`steer.preset-${preset.id}`).click()
    await expect(page.getByTestId('steer.picker-note')).toContainText(/feature \d+ \(measured by steer-eval/)
    await expect(steer.features).toHaveCount(1)
    await steer.run.click()
    const got = await steer.waitForRun()
    const mentions = (ids: number[]) => ids.some((id) => words.has(id))
    const [withConcept, without] = preset.multiple < 0 ? [got.default, got.steered] : [got.steered, got.default]
    await testInfo.attach(`preset-${preset.id}`, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })
    expect(mentions(withConcept), `${preset.concept} in ${withConcept.map((id) => vocab[id]).join('')}`).toBe(true)
    expect(mentions(without), `no ${preset.concept} in ${without.map((id) => vocab[id]).join('')}`).toBe(false)
  })
}
