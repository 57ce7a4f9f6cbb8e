// The app shell end to end, once per backend project: load the default model in the worker, show the backend,
// tokenize, stream a short generation, and stop a long one.
import { readFileSync } from 'node:fs'
import { expect, GENERATE_TIMEOUT, settled, test } from './fixtures.ts'

const DEFAULT_SAES = (JSON.parse(readFileSync('public/saes/tinyworld/index.json', 'utf8')) as { saes: unknown[] }).saes.length

test('loads the default model in a worker and streams a generation', async ({ app, page, backend, expectedBackend }) => {
  await app.open({ backend })
  await app.loader.waitUntilReady()
  // Generate is enabled from here, while the default SAEs still land: where it sits must not move under the pointer.
  const generateBox = await app.prompt.generateButton.boundingBox()
  await expect(app.shell.backend).toHaveText(expectedBackend)
  await expect(app.loader.progress).toHaveAttribute('data-state', 'done')
  // The page must be cross-origin isolated, or threaded WASM silently falls back to one thread.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true)
  test.info().annotations.push({ type: 'backend', description: (await app.shell.backendDetail.textContent()) ?? '' })
  // The threaded WASM binary's workers run the factory's source text, which a minifier can break (vite.config.ts).
  if (expectedBackend === 'wasm') await expect(app.shell.backendDetail).toContainText('threaded build')
  if (expectedBackend === 'webgpu') await expect(app.shell.backendDetail).toContainText(/WebGPU/)
  // A forced backend is what the user asked for: nothing to explain.
  await expect(app.shell.backendNote).toHaveCount(0)

  // The default SAEs load beside the model, in the same worker: their tensors must all be in before the counts
  // below compare one generation with the next (a busy machine once finished the first generation before them).
  await app.saes.waitForSaes(DEFAULT_SAES)
  await expect(app.saes.progress).toHaveCount(0)
  // A growing SAE list once pushed it down ~140 px, and a click meant for it hit nothing (a CI run's failure).
  expect(await app.prompt.generateButton.boundingBox()).toEqual(generateBox)

  // A TinyWorld sentence: every word is in the default model's vocabulary.
  const prompt = 'Lena said: " I love the Golden Arc'
  await app.prompt.setPrompt(prompt)
  await expect(app.prompt.tokenChips).toHaveCount(9)
  await expect(app.prompt.tokens).not.toContainText('<|unk|>')

  // A short, complete generation: tokens stream into the output and the run ends by itself.
  await app.prompt.setSampling({ maxTokens: 8, seed: 1 })
  await app.prompt.generateButton.click()
  await expect(app.prompt.outputTokens.first()).toBeVisible({ timeout: GENERATE_TIMEOUT })
  const ended = await app.prompt.waitUntilFinished()
  expect(['maxTokens', 'eos']).toContain(ended)
  const generated = await app.prompt.outputTokens.count()
  expect(generated).toBeGreaterThan(0)
  expect(generated).toBeLessThanOrEqual(8)
  if (ended === 'maxTokens') expect(generated).toBe(8)
  await expect(app.prompt.output).toContainText(prompt)
  const tensorsAfterFirst = await app.prompt.numTensors()

  // A long generation, stopped by the Stop button once tokens flow: it ends as 'stopped', early.
  const limit = await app.prompt.startLongGeneration(() => app.prompt.generateButton.click())
  await app.prompt.stopButton.click()
  await expect(app.prompt.output).toHaveAttribute('data-state', 'stopped', { timeout: GENERATE_TIMEOUT })
  const stoppedAt = await app.prompt.outputTokens.count()
  expect(stoppedAt).toBeLessThan(limit)
  // Nothing arrives after the stop (the count settles where it was), and the worker held no more tensors when it
  // reported 'stopped' than after the first run: the stopped generation freed its KV cache before saying so.
  expect(await settled(() => app.prompt.outputTokens.count())).toBe(stoppedAt)
  await expect.poll(() => app.prompt.numTensors()).toBeLessThanOrEqual(tensorsAfterFirst)
  await expect(app.prompt.generateButton).toBeEnabled()
  await expect(app.shell.error).toHaveCount(0)
})
