// One model in the built app in headless Chromium, on WASM with a given thread count: load time, then prefill and
// generation measured through the Generate panel (the worker's own elapsed time for a 1-token and a 33-token greedy
// run of the same prompt), and the memory its renderer process holds (the page, its workers and their wasm heaps).
// Loaded only by the browser-engines suite.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Page } from '@playwright/test'
import { expect, LOAD_TIMEOUT, MonoscopeApp } from '../e2e/fixtures.ts'
import playwrightConfig from '../playwright.config.ts'

export interface BrowserEngineTiming {
  status: string
  loadMs: number
  promptTokens: number
  prefillMs: number[]
  perTokenMs: number[]
  /** Resident memory of the browser's renderer processes (VmRSS), after the runs. */
  rendererBytes: number
  browserVersion: string
}

async function elapsed(app: MonoscopeApp, page: Page, maxTokens: number): Promise<number> {
  await app.prompt.setSampling({ maxTokens })
  await app.prompt.generateButton.click()
  const ended = await app.prompt.waitUntilFinished()
  if (ended !== 'maxTokens') throw new Error(`browser-engines: the run ended with ${ended}: ${(await app.shell.errorItems.allTextContents()).join(' | ')}`)
  const status = page.getByTestId('prompt.status')
  expect(Number(await status.getAttribute('data-generated'))).toBe(maxTokens)
  return Number(await status.getAttribute('data-elapsed-ms'))
}

/**
 * Sums VmRSS of this browser's renderer processes: the descendants (through the zygote) of the browser process that
 * runs on `profile`, so other Chromiums on the machine are left out. Why not performance.measureUserAgentSpecificMemory():
 * it never answered here once onnxruntime-web's thread pool was running.
 */
async function rendererRss(profile: string): Promise<number> {
  const procs = new Map<number, { ppid: number; cmdline: string; rss: number }>()
  for (const name of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    try {
      const status = await readFile(`/proc/${name}/status`, 'utf8')
      const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8')).replaceAll('\0', ' ')
      procs.set(Number(name), { ppid: Number(/PPid:\s+(\d+)/.exec(status)?.[1] ?? 0), cmdline, rss: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024 })
    } catch {
      // the process ended while we looked
    }
  }
  const ours = new Set([...procs].filter(([, p]) => p.cmdline.includes(profile) && !p.cmdline.includes('--type=')).map(([pid]) => pid))
  for (let grew = true; grew; ) {
    grew = false
    for (const [pid, p] of procs) if (!ours.has(pid) && ours.has(p.ppid)) grew = ours.add(pid) !== null
  }
  let total = 0
  for (const pid of ours) if (procs.get(pid)!.cmdline.includes('--type=renderer')) total += procs.get(pid)!.rss
  return total
}

export async function measureInBrowser(baseURL: string, model: string, opts: { threads: number; prompt: string; repeats: number }): Promise<BrowserEngineTiming> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'monoscope-bench-profile-'))
  const context = await chromium.launchPersistentContext(profile, { ...playwrightConfig.use?.launchOptions, headless: true, baseURL })
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    const app = new MonoscopeApp(page)
    const t0 = Date.now()
    await page.goto(`./?${new URLSearchParams({ model, backend: 'wasm', threads: String(opts.threads) })}`)
    await expect(app.loader.status).toHaveAttribute('data-status', 'ready', { timeout: 5 * LOAD_TIMEOUT })
    const loadMs = Date.now() - t0
    await app.prompt.setPrompt(opts.prompt)
    await app.prompt.setSampling({ temperature: 0, stopAtEos: false, seed: 1 })
    const promptTokens = await app.prompt.tokenChips.count()
    await elapsed(app, page, 2) // warm-up: kernels compiled, sessions built
    const prefillMs: number[] = []
    const perTokenMs: number[] = []
    for (let i = 0; i < opts.repeats; i++) {
      const one = await elapsed(app, page, 1)
      const many = await elapsed(app, page, 33)
      prefillMs.push(one)
      perTokenMs.push((many - one) / 32)
    }
    const rendererBytes = await rendererRss(profile)
    return { status: (await app.loader.status.textContent()) ?? '', loadMs, promptTokens, prefillMs, perTokenMs, rendererBytes, browserVersion: context.browser()?.version() ?? 'unknown' }
  } finally {
    await context.close()
    await rm(profile, { recursive: true, force: true })
  }
}
