// Browser training suite: the training panel's default run (shortened) on the TinyWorld model, in headless Chromium
// on tfjs-wasm and on WebGPU (SwiftShader), next to the same run (core TrainingRun) in Node on tfjs-wasm.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { selectBackend } from '../../src/core/backend/backend.ts'
import { loadModel } from '../../src/core/model/load.ts'
import { TrainingRun } from '../../src/core/sae/trainingRun.ts'
import { defaultTrainingSettings, type TrainingRunSettings } from '../../src/core/sae/trainingRunSettings.ts'
import { resolveSource } from '../../src/core/sources/index.ts'
import { repoRoot } from '../committedDefault.ts'
import type { BenchRow } from '../harness.ts'
import { startPreview } from '../previewServer.ts'

export const title = 'SAE training in the browser (training panel, TinyWorld model)'
export const intro =
  "The training panel's default run — topk, k 16, d_sae 512 on blocks.2.hook_resid_post of the TinyWorld model (d_model 128), " +
  'batch 512, context 64, buffer 8,192 rows, CE every 100 steps — shortened to the steps below. tokens/s = tokens trained / ' +
  'wall time of the training loop (activation harvesting by the model included; buffer fill before the first step, final ' +
  'density pass and dashboards excluded), as the panel shows it. Browser: the built app in headless Chromium, one run each; ' +
  "on WASM the activation store's passes run on one harvest worker per core (src/workers/harvestWorkers.ts). " +
  'Node: the same core TrainingRun on tfjs-wasm, on one thread. WebGPU runs on Chromium\'s software SwiftShader adapter here (no GPU), ' +
  'so its figure measures the WebGPU code path, not GPU speed; the training path reads tensors back only asynchronously, ' +
  'which is what lets it train on WebGPU in a worker at all (synchronous readback returns zeros there).'

const dist = path.join(repoRoot, 'dist')

export function unmet(): string | null {
  return existsSync(path.join(dist, 'index.html')) ? null : 'it measures the built app, and dist/ has none: run `npx vite build` first'
}

async function nodeTokensPerSecond(settings: TrainingRunSettings): Promise<number> {
  await selectBackend(['wasm'])
  const { model, tokenizer } = await loadModel(resolveSource(path.join(repoRoot, 'public/models/tinyworld')))
  const run = await TrainingRun.create(model, tokenizer, settings)
  try {
    const t0 = performance.now()
    while (!run.done) await run.trainStep()
    return (settings.steps * settings.batchSize) / ((performance.now() - t0) / 1000)
  } finally {
    run.dispose()
    model.dispose()
  }
}

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const problem = unmet()
  if (problem) throw new Error(`browser-train: ${problem}`)
  const { trainInBrowser } = await import('../trainingBrowser.ts')
  const steps = opts.quick ? 20 : 200
  const webgpuSteps = opts.quick ? 10 : 40 // where WebGPU trains at all: SwiftShader is far slower than WASM
  const settings: TrainingRunSettings = { ...defaultTrainingSettings(128, 256), steps }
  const shape = `topk d_in 128, d_sae ${settings.dSae}, batch ${settings.batchSize}`
  const rows: BenchRow[] = []
  const node = await nodeTokensPerSecond(settings)
  process.stderr.write(`  browser-train/node-wasm: ${node.toFixed(0)} tokens/s\n`)
  rows.push({ suite: 'browser-train', case: shape, engine: 'tfjs-wasm (Node)', metric: 'tokens/s', value: node, detail: `${steps} steps` })
  const server = await startPreview()
  try {
    for (const [backend, n, engine] of [['wasm', steps, 'tfjs-wasm (Chromium worker)'], ['webgpu', webgpuSteps, 'tfjs-webgpu (Chromium worker, SwiftShader)']] as const) {
      if (opts.quick && backend === 'webgpu') continue
      const r = await trainInBrowser(server.url, backend, { steps: n })
      process.stderr.write(`  browser-train/${backend}: ${r.tokensPerSecond.toFixed(0)} tokens/s on ${r.trainingBackend} (${r.backendDetail})\n`)
      // A run that fell back to another backend would put that backend's speed under this one's name.
      if (r.trainingBackend !== backend) continue
      rows.push({ suite: 'browser-train', case: shape, engine, metric: 'tokens/s', value: r.tokensPerSecond, detail: `${n} steps; ${r.backendDetail}; Chromium ${r.browserVersion}` })
    }
  } finally {
    await server.stop()
  }
  return rows
}
