// The Reports page shows the committed scaling sweep as it is on disk: every figure loads, the fitted exponents are
// the ones core's analysis gives for scaling.json, and the grid lists every run; an index without a reports folder
// says so instead of showing broken images.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseScalingSweepFile } from '../src/core/sae/scaling/scalingFile.ts'
import { analyseSweep, gridRuns } from '../src/core/sae/scaling/scalingReport.ts'
import { expect, test } from './fixtures.ts'

const root = path.resolve(import.meta.dirname, '..')
const scaling = parseScalingSweepFile(JSON.parse(readFileSync(path.join(root, 'public/saes/tinyworld/blocks.2.hook_resid_post/scaling/scaling.json'), 'utf8')))
const analysis = analyseSweep(scaling)

test('the scaling laws: figures load, fits and grid match scaling.json', async ({ app, page, backend }) => {
  await app.openRoute('#/reports', { backend })
  await expect(page.getByTestId('reports.scaling')).toBeVisible()
  for (const id of ['reports.scaling-loss', 'reports.scaling-optimal', 'reports.completeness', 'reports.recovery']) {
    const img = page.getByTestId(id)
    await expect(img).toBeVisible()
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth), { message: id }).toBeGreaterThan(0)
  }
  const exponent = async (id: string) => Number(await page.getByTestId(id).getAttribute('data-exponent'))
  expect(await exponent('reports.fit-loss')).toBeCloseTo(analysis.lossFit!.exponent, 9)
  if (analysis.sizeFit) expect(await exponent('reports.fit-size')).toBeCloseTo(analysis.sizeFit.exponent, 9)
  const sizes = new Set(gridRuns(scaling).map((r) => r.dSae))
  await expect(page.getByTestId('reports.scaling-grid').locator('tbody tr')).toHaveCount(sizes.size)
  const best = gridRuns(scaling).reduce((a, b) => (b.loss < a.loss ? b : a))
  await expect(page.getByTestId('reports.scaling-grid').locator('td[data-best]')).toHaveText(new RegExp(`^${best.loss.toFixed(4)} `))
})

test('an index without a reports folder says the build ships none', async ({ app, page, backend }) => {
  await page.route('**/saes/tinyworld/index.json', async (route) => {
    const index = JSON.parse(readFileSync(path.join(root, 'public/saes/tinyworld/index.json'), 'utf8')) as Record<string, unknown>
    delete index.reports
    await route.fulfill({ contentType: 'application/json', body: JSON.stringify(index) })
  })
  await app.openRoute('#/reports', { backend })
  await expect(page.getByTestId('reports.none')).toBeVisible()
  await expect(page.getByTestId('reports.scaling-loss')).toHaveCount(0)
})
