// Matryoshka BatchTopK in the training form: the nested-widths field appears for that architecture only, refuses
// widths that do not end at d_sae (Start stays disabled), and a run with valid widths trains to the end in the
// worker and opens as an SAE.
import { expect, test, TrainingView } from './fixtures.ts'

test('trains a Matryoshka BatchTopK SAE with typed nested widths', async ({ app, page, backend, smallRuns }) => {
  test.setTimeout(600_000)
  const train = new TrainingView(page)
  await app.openRoute('#/train', { backend })
  await app.loader.waitUntilReady()
  const widths = page.getByTestId('train.matryoshka-widths')
  await expect(widths).toHaveCount(0) // topk by default: no widths
  await page.getByTestId('train.arch').selectOption('matryoshka_batchtopk')
  await train.configure({ 'd-sae': 256, k: 8, steps: smallRuns ? 10 : 30, batch: smallRuns ? 64 : 256 }, 'matryoshka')
  await expect(widths).toHaveAttribute('placeholder', '8, 32, 64, 256') // the default levels for d_sae 256

  await widths.fill('16, 64, 128')
  await expect(page.getByTestId('train.matryoshka-widths-error')).toContainText('the last matryoshka width must be d_sae (256)')
  await expect(train.start).toBeDisabled()
  await widths.fill('16, 64, 256')
  await expect(page.getByTestId('train.matryoshka-widths-error')).toHaveCount(0)
  await expect(train.start).toBeEnabled()

  await train.start.click()
  const run = train.run('matryoshka')
  await expect(run).toHaveAttribute('data-status', 'finished', { timeout: 480_000 })
  await expect(run).toContainText('matryoshka_batchtopk · 256')
  await expect(page.locator('[data-testid="sae.loaded-item"][data-sae-id^="trained/matryoshka-"]')).toBeVisible({ timeout: 60_000 })
  await expect(train.error).toHaveCount(0)
})
