// The three tutorials walked as a learner would, on each backend project: the first-visit invitation starts one, the
// coach explains each step and points at its control, "Take me there" goes to the view, and every step moves on
// only once the learner has done it (a check on the app's state); the Learn page then marks the tutorial done. A
// screenshot per step goes into the report.
import path from 'node:path'
import type { Locator, Page, TestInfo } from '@playwright/test'
import { expect, LOAD_TIMEOUT, SteeringView, test, TrainingView } from './fixtures.ts'

class Coach {
  readonly panel: Locator
  readonly go: Locator
  constructor(readonly page: Page) {
    this.panel = page.getByTestId('tour.coach')
    this.go = page.getByTestId('tour.go')
  }

  /** Waits for `step` of the running tutorial, checks its control is highlighted when it is on screen, and shoots it. */
  async atStep(step: string, testInfo: TestInfo, timeout = LOAD_TIMEOUT): Promise<void> {
    await expect(this.panel).toHaveAttribute('data-step', step, { timeout })
    const name = `step-${await this.panel.getAttribute('data-tutorial')}-${step}`
    await testInfo.attach(name, { body: await this.page.screenshot({ fullPage: true }), contentType: 'image/png' })
    // MONOSCOPE_TUTORIAL_SHOTS=DIR also keeps a small copy per step (docs/tutorials holds the committed set).
    const dir = process.env.MONOSCOPE_TUTORIAL_SHOTS
    if (dir && testInfo.project.name === 'wasm') await this.page.screenshot({ path: path.join(dir, `${name}.jpg`), type: 'jpeg', quality: 70 })
  }

  /**
   * The step waits for the learner: after the coach has checked it three more times (data-checks counts them; it
   * checks on every state change and twice a second) it is still the current one. A check that passes by itself fails here.
   */
  async expectWaiting(step: string): Promise<void> {
    const checks = async () => Number(await this.panel.getAttribute('data-checks'))
    const from = await checks()
    await expect.poll(checks).toBeGreaterThan(from + 2)
    await expect(this.panel).toHaveAttribute('data-step', step)
  }

  async expectHighlighted(testId: string): Promise<void> {
    await expect(this.page.getByTestId(testId).first()).toHaveAttribute('data-tour-target', 'true')
  }

  async expectCompleted(tutorial: string): Promise<void> {
    await expect(this.panel).toHaveCount(0)
    await this.page.goto('./#/learn')
    await expect(this.page.locator(`[data-testid="learn.tutorial"][data-tutorial="${tutorial}"]`)).toHaveAttribute('data-done', 'true')
  }
}

async function startFromLearn(page: Page, tutorial: string, backend: string): Promise<void> {
  await page.goto(`./${backend === 'auto' ? '' : `?backend=${backend}`}#/learn`)
  await page.locator(`[data-testid="learn.tutorial"][data-tutorial="${tutorial}"]`).getByTestId('learn.start').click()
}

test('"What is a feature?": from the first-visit invitation to the inspector', async ({ app, page, backend }, testInfo) => {
  await app.open({ backend })
  await page.getByTestId('tour.intro-start').click()
  await expect(page.getByTestId('tour.intro')).toHaveCount(0)
  const coach = new Coach(page)
  await coach.atStep('list', testInfo)
  await coach.go.click()
  await app.features.waitUntilReady()
  await coach.atStep('find', testInfo)
  await coach.expectHighlighted('features.search')
  await coach.expectWaiting('find')
  await app.features.find('bridge')
  await app.features.sort.selectOption('auroc')
  await app.features.rows.first().getByTestId('features.link').click()
  await coach.atStep('read', testInfo)
  await page.getByTestId('dashboard.neighbour').first().click()
  await coach.atStep('inspect', testInfo)
  await coach.go.click()
  await coach.expectHighlighted('inspect.tokens')
  await coach.expectWaiting('inspect') // the inspector ran its sentence by itself: that is not the learner's step
  await page.getByTestId('inspect.token-button').filter({ hasText: 'Bridge' }).first().click()
  await coach.expectCompleted('feature')
})

test('"Steer the model": clamp, compare and share', async ({ page, backend }, testInfo) => {
  await startFromLearn(page, 'steer', backend)
  const coach = new Coach(page)
  await coach.atStep('open', testInfo)
  await coach.go.click()
  await coach.atStep('preset', testInfo)
  await coach.expectHighlighted('steer.preset-bridge')
  const steer = new SteeringView(page)
  await expect(steer.run).toBeEnabled({ timeout: LOAD_TIMEOUT })
  await coach.expectWaiting('preset')
  await page.getByTestId('steer.preset-bridge').click()
  await coach.atStep('run', testInfo)
  await steer.run.click()
  await steer.waitForRun()
  await coach.atStep('share', testInfo)
  await coach.expectHighlighted('steer.copy-link')
  await coach.expectWaiting('share')
  await steer.copyLink.click()
  await coach.expectCompleted('steer')
})

test('"Train your own SAE": a small run, its features and its map', async ({ page, backend, smallRuns }, testInfo) => {
  test.setTimeout(smallRuns ? 1_200_000 : 600_000)
  await startFromLearn(page, 'train', backend)
  const coach = new Coach(page)
  await coach.atStep('open', testInfo)
  await coach.go.click()
  await coach.atStep('start', testInfo)
  await coach.expectHighlighted('train.start')
  await coach.expectWaiting('start')
  const train = new TrainingView(page)
  await train.configure({ steps: smallRuns ? 20 : 150, batch: smallRuns ? 64 : 256, 'd-sae': 256 }, 'tutorial')
  await expect(train.start).toBeEnabled({ timeout: LOAD_TIMEOUT })
  await train.start.click()
  await coach.atStep('watch', testInfo)
  await coach.atStep('features', testInfo, smallRuns ? 900_000 : 400_000)
  const run = train.runs.first()
  await run.getByTestId('train.run-dashboards').click()
  await coach.atStep('map', testInfo)
  await coach.go.click()
  await train.runs.first().getByTestId('train.run-map').click()
  await coach.expectCompleted('train')
})
