// Accessibility and narrow screens on every main view: axe-core (@axe-core/playwright) finds no serious or critical
// violations at desktop width and at 390×844 (a phone), and no view scrolls sideways at 390 px. The app loads once;
// views change by hash, as the nav tabs do. A negative control shows that both audits catch a broken page.
// Screenshots of every view at both widths go into the report.
import type { Page, TestInfo } from '@playwright/test'
import { A11yAudit, expect, LOAD_TIMEOUT, test, type MonoscopeApp } from './fixtures.ts'

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1280, height: 900 }
const DROPPED_SAE = 'local:cfg.json+sae_weights.safetensors'

interface View {
  name: string
  /** Goes to the view from wherever the app is, and waits until it shows its content. */
  open(app: MonoscopeApp, page: Page): Promise<void>
}

async function goHash(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h
  }, hash)
}

const VIEWS: View[] = [
  { name: 'generate', open: async (app, page) => (await goHash(page, '#/generate'), await expect(app.prompt.generateButton).toBeVisible()) },
  {
    name: 'steer',
    open: async (_app, page) => {
      await goHash(page, '#/steer')
      await expect(page.getByTestId('steer.panel')).toBeVisible()
    },
  },
  {
    name: 'features',
    open: async (app, page) => {
      await goHash(page, '#/features')
      await app.features.waitUntilReady()
      await expect(app.features.rows.first()).toBeVisible()
    },
  },
  {
    name: 'dashboard',
    open: async (app, page) => {
      await goHash(page, '#/features')
      await app.features.waitUntilReady()
      const first = app.features.rows.first()
      const index = Number(await first.getAttribute('data-index'))
      await first.getByTestId('features.link').click()
      await app.dashboard.waitFor(index)
    },
  },
  { name: 'map', open: async (app, page) => (await goHash(page, '#/map'), void (await app.map.waitUntilDrawn())) },
  { name: 'inspect', open: async (app, page) => (await goHash(page, '#/inspect'), await app.inspector.inspect('The Golden Arc Bridge')) },
  { name: 'contrast', open: async (app, page) => (await goHash(page, '#/contrast'), await expect(app.contrast.panel).toBeVisible()) },
  { name: 'reports', open: async (_app, page) => (await goHash(page, '#/reports'), await expect(page.getByTestId('reports.scaling-grid')).toBeVisible()) },
  { name: 'train', open: async (_app, page) => (await goHash(page, '#/train'), await expect(page.getByTestId('train.panel')).toBeVisible()) },
  {
    // The Learn page with a tutorial running: its coach panel floats over every view.
    name: 'learn',
    open: async (_app, page) => {
      await goHash(page, '#/learn')
      await page.locator('[data-testid="learn.tutorial"][data-tutorial="steer"]').getByTestId('learn.start').click()
      await expect(page.getByTestId('tour.coach')).toBeVisible()
    },
  },
  {
    // The analysis offer: the list of an SAE with no precomputed files (dropped in as files, as analyse.spec.ts does).
    name: 'analyse',
    open: async (app, page) => {
      if ((await app.saes.item(DROPPED_SAE).count()) === 0) {
        await app.saes.dropFiles(['cfg.json', 'sae_weights.safetensors'].map((name) => ({ url: `saes/tinyworld/blocks.2.hook_resid_post/standard-1024/${name}`, name })))
        await expect(app.saes.item(DROPPED_SAE)).toBeAttached({ timeout: LOAD_TIMEOUT })
      }
      await goHash(page, `#/features/${encodeURIComponent(DROPPED_SAE)}`)
      await expect(page.getByTestId('analyse.panel')).toBeVisible()
    },
  },
]

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })
}

test('every view: no serious or critical axe violations, and no horizontal overflow at 390 px', async ({ app, page, backend }, testInfo) => {
  test.setTimeout(900_000)
  await page.setViewportSize(DESKTOP)
  await app.openRoute('#/generate', { backend })
  await app.loader.waitUntilReady()
  await app.saes.waitForSaes(4)
  // Loaded: the loaders are one line (their forms hidden), not ~420 px above every view.
  const bar = page.getByTestId('loaders.bar')
  await expect(bar).toHaveAttribute('data-expanded', 'false')
  await expect(bar.locator('.loaders-forms')).toBeHidden()
  expect((await bar.boundingBox())!.height).toBeLessThan(80)
  const audit = new A11yAudit(page)
  const widths: string[] = []
  for (const view of VIEWS) {
    await page.setViewportSize(DESKTOP)
    await view.open(app, page)
    expect.soft(await audit.seriousViolations(), `axe on ${view.name} at ${DESKTOP.width} px`).toEqual([])
    await shot(page, testInfo, `${view.name}-desktop`)
    await page.setViewportSize(PHONE)
    // Let layout (and the map's resize observer) settle before measuring.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
    const { scrollWidth, culprits } = await audit.overflow()
    widths.push(`${view.name}: ${scrollWidth}`)
    expect.soft(scrollWidth, `${view.name} at 390 px overflows: ${culprits.join(', ')}`).toBeLessThanOrEqual(PHONE.width)
    expect.soft(await audit.seriousViolations(), `axe on ${view.name} at ${PHONE.width} px`).toEqual([])
    await shot(page, testInfo, `${view.name}-390`)
    // The same page in the dark scheme (the OS setting the styles follow): its colours must pass too.
    await page.emulateMedia({ colorScheme: 'dark' })
    expect.soft(await audit.seriousViolations(), `axe on ${view.name} in dark mode`).toEqual([])
    await page.emulateMedia({ colorScheme: 'light' })
  }
  await testInfo.attach('scroll widths at 390 px', { body: widths.join('\n'), contentType: 'text/plain' })
})

test('negative control: the audits catch an unlabelled input and a 600 px wide box', async ({ app, page, backend }) => {
  await page.setViewportSize(PHONE)
  await app.openRoute('#/generate', { backend })
  await expect(app.prompt.generateButton).toBeVisible()
  const audit = new A11yAudit(page)
  await page.evaluate(() => {
    const input = document.createElement('input') // no label, no name: axe's 'label' rule (critical)
    const wide = document.createElement('div')
    wide.style.width = '600px'
    wide.style.height = '10px'
    document.querySelector('main')!.append(input, wide)
  })
  expect((await audit.seriousViolations()).some((v) => v.startsWith('label '))).toBe(true)
  expect((await audit.overflow()).scrollWidth).toBeGreaterThan(PHONE.width)
})
