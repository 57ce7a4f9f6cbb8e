// "Why this token?" in the inspector, on the default TinyWorld model and its 4,096-feature standard SAE: clicking
// "Bridge" after "The dog can see the Golden Arc" ranks the features before it by attribution beside their exact
// ablation. The outcome is the paper's: the top 10 by attribution are (nearly) the top 10 by ablation, the top 10 by
// activation are not (measured 10/10 and 1/10, as `monoscope attribute` gives). A feature opens its dashboard. A
// generated token and a steered token explain themselves the same way, the steered one under its run's steering.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect, LOAD_TIMEOUT, SteeringView, test } from './fixtures.ts'

const SAE = 'tinyworld/blocks.2.hook_resid_post/standard-4096'

test('why "Bridge"? features ranked by attribution agree with ablation; one opens its dashboard', async ({ app, page, backend }, testInfo) => {
  await app.openRoute('#/inspect', { backend })
  await expect(app.saes.item(SAE)).toBeVisible({ timeout: LOAD_TIMEOUT })
  await page.getByTestId('inspect.sae').selectOption(SAE)
  await app.inspector.inspect('The dog can see the Golden Arc Bridge from here .')
  await app.inspector.token(' Bridge').getByTestId('inspect.token-button').click()
  await expect(app.inspector.active).toContainText('at “ Bridge”', { timeout: LOAD_TIMEOUT })
  await page.getByTestId('inspect.why').click()

  const panel = page.getByTestId('why.panel')
  await expect(panel).toHaveAttribute('data-state', 'ready', { timeout: LOAD_TIMEOUT })
  await expect(page.getByTestId('why.summary')).toContainText('Logit of " Bridge" after " Arc"')
  await expect(page.getByTestId('why.row')).toHaveCount(20)
  const overlap = (await page.getByTestId('why.overlap').textContent()) ?? ''
  const [, byAttribution, byActivation] = /(\d+) are in the top 10 by attribution and (\d+) in\s+the top 10 by activation/.exec(overlap) ?? []
  expect(Number(byAttribution)).toBeGreaterThanOrEqual(8)
  expect(Number(byActivation)).toBeLessThanOrEqual(4)
  await expect(page.getByTestId('why.scatter').locator('circle')).toHaveCount(await page.getByTestId('why.summary').textContent().then((t) => Number(/(\d+) features are active/.exec(t ?? '')?.[1])))
  await testInfo.attach('why-bridge', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  // The top feature's dashboard, from its link.
  const top = page.getByTestId('why.row').first()
  const index = Number(await top.getAttribute('data-index'))
  await top.getByTestId('why.feature').click()
  await app.dashboard.waitFor(index)
  await expect(page).toHaveURL(new RegExp(`#/feature/.+/${index}$`))
})

test('a generated token explains itself: clicking it opens the inspector on the generated ids with its why', async ({ app, page, backend }) => {
  await app.open({ backend })
  await app.loader.waitUntilReady()
  await app.saes.waitForSaes(4) // the default SAEs: a generated token is a button once one is loaded
  await app.prompt.setPrompt('The dog can see the Golden Arc')
  await app.prompt.setSampling({ maxTokens: 1, temperature: 0, seed: 1 })
  await app.prompt.generateButton.click()
  await app.prompt.waitUntilFinished()
  const token = app.prompt.outputTokens.first()
  const text = (await token.textContent()) ?? ''
  expect(text.trim()).toBe('Bridge') // the grammar forces it, and the model has learned so
  await token.click()

  await expect(page).toHaveURL(/#\/inspect$/)
  await expect(page.getByTestId('why.panel')).toHaveAttribute('data-state', 'ready', { timeout: LOAD_TIMEOUT })
  await expect(page.getByTestId('why.summary')).toContainText(`Logit of ${JSON.stringify(text)} after " Arc"`)
  await expect(app.inspector.input).toHaveValue(/The dog can see the Golden Arc Bridge$/)
  expect(await page.getByTestId('why.row').count()).toBeGreaterThan(5)
})

test('a steered token explains the steered model: the clamped feature writes "Bridge"', async ({ app, page, backend }) => {
  const root = path.resolve(import.meta.dirname, '..')
  // README's demo: feature 110 of standard-1024 clamped at 5× its max writes "Bridge" (made by the CLI, as users share it).
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'bin/monoscope.mjs'), 'generate', '--sae', 'public/saes/tinyworld/blocks.2.hook_resid_post/standard-1024', '--prompt', 'Some sums:', '--clamp', '110=5x', '--temperature', '0', '--max-tokens', '3', '--json'], { cwd: root })
  const cli = JSON.parse(stdout) as { default: { tokens: number[] }; steered: { tokens: number[]; text: string }; share: string }
  expect(cli.steered.text).toMatch(/^Bridge/)
  const steer = new SteeringView(page)
  await steer.expectCliTokens(cli, backend)
  void app
  await steer.steeredOutput.locator('button').first().click()

  await expect(page).toHaveURL(/#\/inspect$/)
  await expect(page.getByTestId('why.panel')).toHaveAttribute('data-state', 'ready', { timeout: LOAD_TIMEOUT })
  await expect(page.getByTestId('why.steered')).toBeVisible()
  await expect(page.getByTestId('why.summary')).toContainText('Logit of " Bridge" after ":"')
  // The clamped feature, at the last prompt position, is the largest cause of "Bridge" by attribution.
  await expect(page.getByTestId('why.row').first()).toHaveAttribute('data-index', '110')
})
