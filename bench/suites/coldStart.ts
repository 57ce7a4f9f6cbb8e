// Cold-start suite: the built app served by `vite preview`, opened straight at a feature dashboard of the default
// index's first SAE in a fresh headless Chromium, on the WASM backend and on WebGPU (Chromium's software adapter).
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseFeatureSummary, SUMMARY_FILENAME } from '../../src/core/analysis/featureFolder.ts'
import { hrefs } from '../../src/ui/router/hashRoute.ts'
import { readSaeIndex, repoRoot } from '../committedDefault.ts'
import type { ColdStartSample } from '../coldStartBrowser.ts'
import type { BenchRow } from '../harness.ts'
import { startPreview } from '../previewServer.ts'

export const title = 'Cold start to a feature dashboard (built app, headless Chromium)'
export const intro =
  'The built app (`npx vite build`) served by `vite preview` on localhost; each run launches a fresh headless Chromium ' +
  '(empty HTTP cache, no compiled-code cache) and opens `#/feature/<first SAE in the index>/<its first live feature>`. ' +
  'Dashboard = navigation start until the dashboard\'s top examples are visible on a ready dashboard of that feature ' +
  '(the precomputed analysis: no model needed); model loaded = until the header names the backend in use. Checked every ' +
  '25 ms, median of 3 runs. WebGPU here is Chromium\'s software SwiftShader adapter (no GPU), so it measures the CPU.'

const dist = path.join(repoRoot, 'dist')
const RUNS = 3
const BACKENDS = [
  { param: 'wasm', engine: 'tfjs-wasm (Chromium)' },
  { param: 'webgpu', engine: 'tfjs-webgpu (Chromium, SwiftShader)' },
] as const

export function unmet(): string | null {
  return existsSync(path.join(dist, 'index.html')) ? null : 'it measures the built app, and dist/ has none: run `npx vite build` first'
}

/** The index's first SAE and its lowest-numbered feature with a top example (a dead one has no list to show). */
async function dashboardTarget(): Promise<{ saeId: string; index: number }> {
  const entry = (await readSaeIndex(dist)).saes[0]!
  if (entry.analysis === null) throw new Error(`${entry.id} has no precomputed analysis in the index: run \`npm run build:analysis\` and rebuild`)
  const summary = parseFeatureSummary(JSON.parse(await readFile(path.join(dist, entry.analysis, SUMMARY_FILENAME), 'utf8')))
  const live = summary.features.find((f) => f.snippet !== null)
  if (!live) throw new Error(`${entry.id}'s analysis has no live feature to open`)
  return { saeId: entry.id, index: live.index }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const seconds = (ms: number): string => (ms / 1000).toFixed(1)

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const problem = unmet()
  if (problem) throw new Error(`cold-start: ${problem}`)
  const { coldStartOnce } = await import('../coldStartBrowser.ts')
  const target = await dashboardTarget()
  const route = hrefs.feature(target.saeId, target.index)
  // Quick: one WASM run, to check the measurement works end to end.
  const backends = opts.quick ? BACKENDS.slice(0, 1) : BACKENDS
  const runs = opts.quick ? 1 : RUNS
  const server = await startPreview()
  const rows: BenchRow[] = []
  try {
    for (const b of backends) {
      const samples: ColdStartSample[] = []
      for (let i = 0; i < runs; i++) {
        const s = await coldStartOnce(server.url, target, b.param)
        // A silent fallback to another backend would put its time under this one's name.
        if (s.backendShown !== b.param) throw new Error(`cold-start: asked for ${b.param}, but the app ran on ${s.backendShown}`)
        process.stderr.write(`  cold-start/${b.param} run ${i + 1}: dashboard ${seconds(s.dashboardMs)} s, model ${seconds(s.modelMs)} s\n`)
        samples.push(s)
      }
      const detail = (ms: number[]) =>
        `${route}; median of ${runs} (${seconds(Math.min(...ms))}–${seconds(Math.max(...ms))} s); Chromium ${samples[0]!.browserVersion}`
      const dashboard = samples.map((s) => s.dashboardMs)
      const model = samples.map((s) => s.modelMs)
      rows.push(
        { suite: 'cold-start', case: 'dashboard: top examples visible', engine: b.engine, metric: 'seconds', value: median(dashboard) / 1000, detail: detail(dashboard) },
        { suite: 'cold-start', case: 'model loaded', engine: b.engine, metric: 'seconds', value: median(model) / 1000, detail: detail(model) },
      )
    }
  } finally {
    await server.stop()
  }
  return rows
}
