// Failures are shown in words with a way out, and nothing is lost: a bad source leaves the loaded model usable,
// and the default model loads afterwards.
import { expect, GENERATE_TIMEOUT, test } from './fixtures.ts'

test('a missing model shows an error, and the default model loads after it', async ({ app, backend, expectedBackend }) => {
  // Start from a source that does not exist: nothing is loaded, and the banner says why.
  await app.open({ backend, model: 'models/no-such-model' })
  await expect(app.shell.errorWithCode('SOURCE_NOT_FOUND')).toBeVisible({ timeout: 60_000 })
  await expect(app.shell.error).toContainText('Model files not found')
  await expect(app.loader.status).toHaveAttribute('data-status', 'empty')
  await expect(app.prompt.generateButton).toBeDisabled()

  // The way out offered by the banner: load the default model.
  await app.shell.errorWithCode('SOURCE_NOT_FOUND').getByTestId('shell.error-action').click()
  await app.loader.waitUntilReady()
  await expect(app.shell.backend).toHaveText(expectedBackend)
  await expect(app.shell.error).toHaveCount(0)
})

test('a bad source keeps the loaded model working', async ({ app, backend, expectedBackend }) => {
  await app.open({ backend })
  await app.loader.waitUntilReady()

  await app.loader.loadSource('hf:')
  await expect(app.shell.errorWithCode('SOURCE_SPEC')).toBeVisible()
  await app.loader.loadSource('models/no-such-model')
  await expect(app.shell.errorWithCode('SOURCE_NOT_FOUND')).toBeVisible()
  await app.loader.waitUntilSettled()

  // The default model is still loaded and still generates.
  await expect(app.loader.status).toHaveAttribute('data-status', 'ready')
  await expect(app.shell.backend).toHaveText(expectedBackend)
  await app.prompt.setSampling({ maxTokens: 3 })
  await app.prompt.generateButton.click()
  await expect(app.prompt.outputTokens.first()).toBeVisible({ timeout: GENERATE_TIMEOUT })
  expect(['maxTokens', 'eos']).toContain(await app.prompt.waitUntilFinished())

  // Errors can be dismissed one by one.
  const before = await app.shell.errorItems.count()
  await app.shell.errorItems.first().getByTestId('shell.error-dismiss').click()
  await expect(app.shell.errorItems).toHaveCount(before - 1)
})
