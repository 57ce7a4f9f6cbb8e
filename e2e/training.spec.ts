// Training in the browser: a short run's charts update; a reload mid-run lists it as interrupted and it resumes
// from its checkpoint to the end; the new SAE opens in the Loader and the inspector; its exported SAELens zip,
// re-imported through the Loader, gives identical feature activations; its in-browser dashboards and map open.
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect, LOAD_TIMEOUT, test, TrainingRunItem, TrainingView } from './fixtures.ts'

const TRAIN_TIMEOUT = 240_000
const TEXT = 'The dog can see the Golden Arc Bridge from here .'

/**
 * The run's size. SwiftShader WebGPU trains at ~90 tokens/s against WASM's ~4,000: its run is shorter and thinner
 * but still passes the reload point (a checkpoint every 25 steps) with steps to spare.
 */
const RUN = { full: { steps: 150, batch: 256, reloadAfter: 55 }, small: { steps: 100, batch: 32, reloadAfter: 55 } } as const

test('train, reload mid-run, resume, finish, inspect, export and re-import', async ({ app, page, backend, smallRuns }, testInfo) => {
  test.setTimeout(smallRuns ? 1_500_000 : 900_000)
  const size = smallRuns ? RUN.small : RUN.full
  const train = new TrainingView(page)
  await app.openRoute('#/train', { backend })
  await app.loader.waitUntilReady()
  await expect(train.start).toBeEnabled()
  const name = `e2e-${testInfo.project.name}-${Date.now() % 100_000}`
  await train.configure({ steps: size.steps, batch: size.batch, 'd-sae': 256, k: 8 }, name)
  await train.start.click()

  const run = train.run(name)
  await expect(run).toHaveAttribute('data-status', 'running', { timeout: TRAIN_TIMEOUT })
  // The charts follow the run: points appear, then more.
  await expect.poll(() => train.chartPoints('loss'), { timeout: TRAIN_TIMEOUT }).toBeGreaterThan(1)
  const early = await train.chartPoints('loss')
  await expect.poll(() => train.chartPoints('loss'), { timeout: TRAIN_TIMEOUT }).toBeGreaterThan(early)
  await expect(train.speed).toHaveAttribute('data-tokens-per-second', /^\d/)
  // Past the second checkpoint (every 25 steps), then a reload in the middle of training.
  await expect.poll(async () => Number(await run.getAttribute('data-step')), { timeout: TRAIN_TIMEOUT }).toBeGreaterThanOrEqual(size.reloadAfter)
  const speed = await train.speed.getAttribute('data-tokens-per-second')
  testInfo.annotations.push({ type: 'training tokens/s', description: `${speed} (${testInfo.project.name}, 128→256 topk, batch ${size.batch})` })
  await page.reload()
  await app.loader.waitUntilReady()
  await expect(run).toHaveAttribute('data-status', 'interrupted', { timeout: LOAD_TIMEOUT })
  const saved = Number(await run.getAttribute('data-step'))
  expect(saved).toBeGreaterThanOrEqual(50)
  expect(saved).toBeLessThan(size.steps)
  // The charts of the saved log are back before resuming.
  await run.getByRole('button', { name }).click()
  await expect.poll(() => train.chartPoints('loss')).toBeGreaterThanOrEqual(Math.floor(saved / 10)) // a log entry every 10 steps

  await train.button(run, 'resume').click()
  // Resuming refills the buffer and fast-forwards; on SwiftShader that and the final measurements take minutes.
  await expect(run).toHaveAttribute('data-status', 'finished', { timeout: smallRuns ? 600_000 : TRAIN_TIMEOUT })
  await expect(run).toHaveAttribute('data-step', String(size.steps))
  await expect(page.getByTestId('train.final')).toBeVisible()
  expect(await train.chartPoints('ce')).toBeGreaterThan(0)
  await testInfo.attach('training', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  // A finished run opens in the Loader at once.
  const trained = page.locator(`[data-testid="sae.loaded-item"][data-sae-id^="trained/${name}-"]`)
  await expect(trained).toBeVisible({ timeout: LOAD_TIMEOUT })
  const trainedId = (await trained.getAttribute('data-sae-id'))!

  // Export, then re-import the zip through the Loader's file picker.
  const [download] = await Promise.all([page.waitForEvent('download'), train.button(run, 'export').click()])
  expect(download.suggestedFilename()).toBe(`${name}.zip`)
  const zipPath = path.join(testInfo.outputPath(), download.suggestedFilename())
  await download.saveAs(zipPath)
  await app.saes.files.setInputFiles(zipPath)
  const reimported = page.locator(`[data-testid="sae.loaded-item"][data-sae-id="local:${name}.zip"]`)
  await expect(reimported).toBeVisible({ timeout: LOAD_TIMEOUT })

  // The inspector (same tab: the nav keeps the workers) gives the same features and values for both.
  await page.getByTestId('nav.inspect').click()
  const features = async (saeId: string) => {
    await page.getByTestId('inspect.sae').selectOption(saeId)
    await app.inspector.inspect(TEXT)
    const links = page.getByTestId('inspect.feature')
    await expect(links.first()).toHaveAttribute('href', new RegExp(encodeURIComponent(saeId).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    return links.evaluateAll((els) => els.map((e) => e.getAttribute('title')))
  }
  const fromTraining = await features(trainedId)
  expect(fromTraining.length).toBeGreaterThan(10)
  const fromZip = await features(`local:${name}.zip`)
  expect(fromZip).toEqual(fromTraining)

  // Its dashboards, computed in the training worker: the feature list and a feature's page.
  await page.getByTestId('nav.train').click()
  await train.button(run, 'dashboards').click()
  await app.features.waitUntilReady()
  await expect(app.features.rows.first()).toBeVisible()
  const first = app.features.rows.first()
  const index = Number(await first.getAttribute('data-index'))
  await first.getByTestId('features.link').click()
  await app.dashboard.waitFor(index)
  await expect(app.dashboard.topExamples).toBeVisible()

  // Its map, laid out in the training worker too: one point per feature, and a click opens that feature's page.
  await page.getByTestId('nav.train').click()
  await train.button(run, 'map').click()
  expect(await app.map.waitUntilDrawn()).toBe(256)
  await testInfo.attach('trained-map', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })
  await app.map.clickSamplePoint()
  await expect(app.dashboard.panel).toHaveAttribute('data-state', 'ready', { timeout: 60_000 })
  await expect(page).toHaveURL(new RegExp(`#/feature/${encodeURIComponent(trainedId).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d+$`))
  await expect(app.shell.error).toHaveCount(0)
})

test('a damaged SAE zip to fine-tune shows a clear error and saves no run', async ({ app, page, backend }) => {
  const train = new TrainingView(page)
  await app.openRoute('#/train', { backend })
  await app.loader.waitUntilReady()
  await page.getByTestId('train.start-from').selectOption('files')
  await page.getByTestId('train.start-files').setInputFiles({ name: 'broken-sae.zip', mimeType: 'application/zip', buffer: Buffer.from('PK\u0003\u0004 not really a zip') })
  await train.start.click()
  await expect(train.error).toBeVisible({ timeout: LOAD_TIMEOUT })
  await expect(train.error).toHaveAttribute('data-code', 'INVALID_ARGUMENT')
  await expect(train.error).toContainText('broken-sae.zip is not a readable zip file')
  await expect(train.runs).toHaveCount(0)
  await expect(train.start).toBeEnabled()

  // A text corpus is read where it is picked (src/ui/shell/readTextFile.ts): its non-empty lines are counted there.
  await page.getByTestId('train.corpus').selectOption('text')
  await page.getByTestId('train.text-file').setInputFiles({ name: 'corpus.txt', mimeType: 'text/plain', buffer: Buffer.from('the cat sat\n\nthe dog ran\n') })
  await expect(page.getByTestId('train.text-file').locator('xpath=..')).toContainText('2 lines')
  await expect(page.getByTestId('train.text-error')).toHaveCount(0)

  // A text file over INPUT_LIMITS.textFileBytes is refused by its size, before a byte is read: a sparse 257 MiB
  // file (no disk used), passed by path, so the real browser File claims the size.
  const huge = path.join(await mkdtemp(path.join(os.tmpdir(), 'monoscope-')), 'huge-corpus.txt')
  try {
    await writeFile(huge, '')
    await truncate(huge, 257 * 1024 * 1024)
    await page.getByTestId('train.text-file').setInputFiles(huge)
    await expect(page.getByTestId('train.text-error')).toContainText('huge-corpus.txt is 257 MB, over the 256 MB limit for a text file')
    await expect(page.getByTestId('train.text-file').locator('xpath=..')).not.toContainText('lines')
  } finally {
    await rm(path.dirname(huge), { recursive: true, force: true })
  }
})

test('fine-tunes a committed TinyWorld SAE on new data and opens the result', async ({ app, page, backend, smallRuns }) => {
  // On SwiftShader the buffer fill and the dashboards after training dominate: ~4 min on a loaded 2-core machine.
  test.setTimeout(720_000)
  const train = new TrainingView(page)
  await app.openRoute('#/train', { backend })
  await app.loader.waitUntilReady()
  const from = page.getByTestId('train.start-from')
  const option = from.locator('option', { hasText: 'standard-1024' })
  await from.selectOption({ label: (await option.textContent())! })
  await expect(page.getByTestId('train.arch')).toBeDisabled() // the SAE's own architecture and size
  await train.configure({ steps: smallRuns ? 10 : 20, batch: smallRuns ? 64 : 256, 'data-seed': 77 }, 'finetune')
  await train.start.click()
  const run = train.run('finetune')
  await expect(run).toHaveAttribute('data-status', 'finished', { timeout: 600_000 })
  await expect(run).toContainText('from tinyworld/blocks.2.hook_resid_post/standard-1024')
  await expect(run).toContainText('standard · 1024')
  await expect(page.locator('[data-testid="sae.loaded-item"][data-sae-id^="trained/finetune-"]')).toBeVisible({ timeout: 60_000 })
  await expect(train.error).toHaveCount(0)
})

test('a run cut off before its first checkpoint restarts; after a reload a finished run still opens its features and map', async ({ app, page, backend, smallRuns }, testInfo) => {
  test.setTimeout(smallRuns ? 1_200_000 : 600_000)
  const train = new TrainingView(page)
  await app.openRoute('#/train', { backend })
  await app.loader.waitUntilReady()
  await expect(train.start).toBeEnabled()
  const name = `cut-${testInfo.project.name}-${Date.now() % 100_000}`
  const steps = smallRuns ? 10 : 30
  await train.configure({ steps, batch: 64, 'd-sae': 128, k: 8 }, name)
  await train.start.click()

  // Reload while the activation buffer fills: the run is saved, its first checkpoint (step 0, after the fill) not yet.
  const run = new TrainingRunItem(page, train.run(name))
  await expect(run.item).toHaveAttribute('data-status', 'preparing', { timeout: LOAD_TIMEOUT })
  await page.reload()
  await app.loader.waitUntilReady()
  await expect(run.item).toHaveAttribute('data-status', 'interrupted', { timeout: LOAD_TIMEOUT })
  await expect(run.item).toHaveAttribute('data-checkpoint', 'false')
  await expect(run.status).toContainText('before its first checkpoint')
  await expect(run.action('resume')).toHaveCount(0) // it could only fail
  await expect(run.action('delete')).toBeVisible()

  // Restart trains it from step 0 with the same settings, under the same name, to the end.
  await run.action('restart').click()
  await expect(run.item).toHaveAttribute('data-status', 'finished', { timeout: smallRuns ? 600_000 : TRAIN_TIMEOUT })
  await expect(run.item).toHaveAttribute('data-step', String(steps))
  await expect(train.error).toHaveCount(0)

  // Each "dead" number says what it counts; fraction axes span 0–100% (the CE axis once read 200%).
  const final = page.getByTestId('train.final')
  await expect(final).toContainText('fresh after training')
  await expect(final).toContainText('never fired on them')
  await expect(run.chart('dead')).toContainText('silent for the last')
  for (const metric of ['dead', 'ce']) {
    await expect(run.chart(metric)).toHaveAttribute('data-y-max', '1')
    await expect(run.chart(metric).getByTestId('train.chart-y-label')).toHaveText(/^% /)
  }
  await expect(run.chart('ce')).not.toContainText('200%')
  await testInfo.attach('restarted-run', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })

  // A reload empties the explorer; the run's saved analysis still backs its Features and Map links.
  await page.reload()
  await app.loader.waitUntilReady()
  await expect(run.item).toHaveAttribute('data-status', 'finished', { timeout: LOAD_TIMEOUT })
  await expect(run.action('dashboards')).toBeVisible()
  await expect(run.action('map')).toBeVisible()
  await run.action('dashboards').click()
  await app.features.waitUntilReady()
  await expect(app.features.rows.first()).toBeVisible()
  expect(await app.features.rows.count()).toBeGreaterThan(0)
  await expect(page).toHaveURL(/#\/features\/trained%2Fcut-/)
  await page.getByTestId('nav.train').click()
  await run.action('map').click()
  expect(await app.map.waitUntilDrawn()).toBe(128)
  await expect(app.shell.error).toHaveCount(0)

  // The map's own URL, reloaded (a bookmark): the page finds the run behind the trained SAE's id and its map.
  await expect(page).toHaveURL(/#\/map\/trained%2Fcut-/)
  await page.reload()
  await app.loader.waitUntilReady()
  expect(await app.map.waitUntilDrawn()).toBe(128)
})
