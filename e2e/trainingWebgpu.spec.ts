// Training on WebGPU in the training worker (Chromium's software SwiftShader adapter here): the worker trains on
// the backend the app uses — no fallback — and what it learns is real: the loss falls, FVU is in (0, 1), the final
// SAE fires (L0 > 1) and beats zero-ablation on CE loss. Before the training path read tensors only asynchronously,
// this adapter's synchronous readback in a worker returned zeros or failed the step; either fails this test (checked:
// one dataSync put back in the trainer's step fails the run at step 1).
import { expect, LOAD_TIMEOUT, test, TrainingView } from './fixtures.ts'

const TRAIN_TIMEOUT = 420_000

test('trains an SAE on WebGPU in the worker, and it learns', async ({ app, page, backend }, testInfo) => {
  test.setTimeout(900_000)
  const train = new TrainingView(page)
  await app.openRoute('#/train', { backend })
  await app.loader.waitUntilReady()
  await expect(app.shell.backend).toHaveAttribute('data-backend', 'webgpu')
  await expect(train.start).toBeEnabled()
  const name = `webgpu-${Date.now() % 100_000}`
  await train.configure({ steps: 40, batch: 128, 'd-sae': 256, k: 8 }, name) // short: SwiftShader trains at ~100 tokens/s
  await train.start.click()

  const run = train.run(name)
  await expect(train.panel).toHaveAttribute('data-backend', 'webgpu', { timeout: LOAD_TIMEOUT })
  // A run that fails (a synchronous read on this adapter fails the step) ends the wait at once, with its error.
  await expect(run).toHaveAttribute('data-status', /^(finished|failed)$/, { timeout: TRAIN_TIMEOUT })
  expect(await run.getAttribute('data-status'), `the run failed: ${(await train.error.allInnerTexts()).join(' ')}`).toBe('finished')
  const chart = (metric: string) => page.locator(`[data-testid="train.chart"][data-metric="${metric}"]`)
  const first = Number(await chart('loss').getAttribute('data-first'))
  const last = Number(await chart('loss').getAttribute('data-last'))
  expect(Number.isFinite(first) && Number.isFinite(last)).toBe(true)
  expect(last).toBeLessThan(0.9 * first)
  const fvu = Number(await chart('fvu').getAttribute('data-last'))
  expect(fvu).toBeGreaterThan(0)
  expect(fvu).toBeLessThan(1)
  const final = page.getByTestId('train.final')
  expect(Number(await final.getAttribute('data-l0'))).toBeGreaterThan(1)
  // 5k tokens of training: the spliced SAE already beats zero-ablation (0.27 measured), far from the 99% of long runs.
  expect(Number(await final.getAttribute('data-ce-recovered'))).toBeGreaterThan(0)
  const speed = await train.speed.getAttribute('data-tokens-per-second')
  testInfo.annotations.push({ type: 'training tokens/s (webgpu, SwiftShader)', description: `${speed} (128→256 topk k8, batch 128)` })
  await testInfo.attach('training-webgpu', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })
  await expect(app.shell.error).toHaveCount(0)
})
