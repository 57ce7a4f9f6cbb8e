// Switching backend from the header: the model reloads on the new backend, the URL records the choice for sharing,
// and generation works there.
import { expect, GENERATE_TIMEOUT, test } from './fixtures.ts'

test('the backend select reloads the model on the chosen backend', async ({ app, page, backend, expectedBackend }) => {
  await app.open({ backend })
  await app.loader.waitUntilReady()
  await expect(app.shell.backend).toHaveText(expectedBackend)

  await app.shell.backendSelect.selectOption('cpu')
  await expect(app.shell.backend).toHaveText('cpu', { timeout: GENERATE_TIMEOUT })
  await app.loader.waitUntilReady()
  expect(new URL(page.url()).searchParams.get('backend')).toBe('cpu')

  await app.prompt.setSampling({ maxTokens: 3 })
  await app.prompt.generateButton.click()
  expect(['maxTokens', 'eos']).toContain(await app.prompt.waitUntilFinished())
  await expect(app.prompt.outputTokens.first()).toBeVisible()
  await expect(app.shell.error).toHaveCount(0)
})
