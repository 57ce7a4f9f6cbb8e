// The committed TinyWorld SAEs: every SAE the index lists loads as SAELens files on the model's hook, has a report
// and a training log, and reconstructs a fresh TinyWorld sample about as well as its report says (a sample the
// report was not computed on), and has its explorer pages, so a re-trained or corrupted file cannot slip in silently.
import * as tf from '@tensorflow/tfjs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../core/backend/backend.ts'
import { parseSaeIndex } from '../core/analysis/saeIndex.ts'
import { windowActivations } from '../core/sae/activationStore.ts'
import { addReconstructionSums, fireCounts, reconstructionMetrics, reconstructionSums, type ReconstructionSums } from '../core/sae/metrics.ts'
import { loadSaeLens } from '../core/sae/saelens.ts'
import { resolveSaeHook } from '../core/sae/splice.ts'
import { loadModel, type LoadedModel } from '../core/model/load.ts'
import { createFolderSource, resolveSource } from '../core/sources/index.ts'
import { defaultModelSpec, repoRoot } from './defaults.ts'
import { saeCorpusWindows } from './saeCorpus.ts'

const publicDir = path.join(repoRoot, 'public')
let loaded: LoadedModel
let index: ReturnType<typeof parseSaeIndex>

beforeAll(async () => {
  await selectBackend(['wasm', 'cpu'])
  loaded = await loadModel(resolveSource(defaultModelSpec))
  index = parseSaeIndex(JSON.parse(await readFile(path.join(publicDir, 'saes/tinyworld/index.json'), 'utf8')))
})

afterAll(() => loaded.model.dispose())

describe('the committed TinyWorld SAEs', () => {
  it('include three standard sizes and a TopK on the middle layer', () => {
    const standard = index.saes.filter((s) => s.architecture === 'standard').map((s) => s.d_sae)
    expect(new Set(standard).size).toBeGreaterThanOrEqual(3)
    expect(index.saes.some((s) => s.architecture === 'topk')).toBe(true)
    expect(new Set(index.saes.map((s) => s.hook_name))).toEqual(new Set([`blocks.${loaded.model.config.nLayers / 2}.hook_resid_post`]))
  })

  it('each have precomputed explorer pages for exactly that SAE (every feature, every shard present)', async () => {
    for (const entry of index.saes) {
      expect(entry.analysis, `${entry.id} has no analysis: run npm run build:analysis`).not.toBeNull()
      const folder = path.join(publicDir, entry.analysis!)
      const summary = JSON.parse(await readFile(path.join(folder, 'summary.json'), 'utf8')) as { sae: { id: string; d_sae: number }; features: { index: number }[]; shards: string[] }
      expect(summary.sae, entry.id).toMatchObject({ id: entry.id, d_sae: entry.d_sae })
      expect(summary.features.map((f) => f.index)).toEqual(Array.from({ length: entry.d_sae }, (_, i) => i))
      for (const shard of summary.shards) expect((await readFile(path.join(folder, shard))).length, shard).toBeGreaterThan(0)
    }
  })

  it('reconstruct a fresh sample as well as their reports say', async () => {
    for (const entry of index.saes) {
      const dir = path.join(publicDir, entry.path)
      const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as { l0: number; varianceExplained: number }
      const log = JSON.parse(await readFile(path.join(dir, 'training_log.json'), 'utf8')) as { format: string }
      expect(log.format).toBe('monoscope.sae-training-log')
      const { sae } = await loadSaeLens(createFolderSource(dir))
      expect(sae.config.dSae).toBe(entry.d_sae)
      const hook = resolveSaeHook(loaded.model, sae, undefined)
      const { windows, skipFirst } = await saeCorpusWindows(loaded.model, loaded.tokenizer, sae, { seed: 777_001, tokens: 3000 })
      let sums: ReconstructionSums | null = null
      let active = 0
      let rows = 0
      for (let i = 0; i < windows.length; i += 8) {
        const x = await windowActivations(loaded.model, hook, windows.slice(i, i + 8), { skipFirst }) // [rows, dIn]
        const out = sae.run(x)
        const s = reconstructionSums(x, out.reconstruction)
        sums = sums ? addReconstructionSums(sums, s) : s
        active += (await fireCounts(out.featureActs)).reduce((a, b) => a + b, 0)
        rows += x.shape[0]
        tf.dispose([x, out.featureActs, out.reconstruction, out.error])
      }
      const measured = reconstructionMetrics(sums!)
      // 3,000 tokens against the report's 40,000: a few points of sampling noise, not a different SAE.
      expect(Math.abs(measured.varianceExplained - report.varianceExplained), entry.id).toBeLessThan(0.04)
      expect(Math.abs(active / rows - report.l0) / report.l0, entry.id).toBeLessThan(0.2)
      sae.dispose()
    }
  })
})
