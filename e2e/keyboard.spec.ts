// Keyboard use: Ctrl+Enter generates from anywhere, Esc stops the stream.
import { expect, GENERATE_TIMEOUT, test } from './fixtures.ts'

test('Ctrl+Enter generates and Esc stops', async ({ app, backend }) => {
  await app.open({ backend })
  await app.loader.waitUntilReady()
  await app.prompt.input.focus()
  const limit = await app.prompt.startLongGeneration(() => app.page.keyboard.press('Control+Enter'))
  await app.page.keyboard.press('Escape')
  await expect(app.prompt.output).toHaveAttribute('data-state', 'stopped', { timeout: GENERATE_TIMEOUT })
  expect(await app.prompt.outputTokens.count()).toBeLessThan(limit)
})
