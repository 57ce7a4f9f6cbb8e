// The encoder forward on onnxruntime (encoderEngine.ts) equals tfjs's, and a trainer that uses it takes the same steps
// as one that does not: parameters, Adam moments and firing counters, for every architecture whose step takes a plan,
// on one thread and split into row shards. Engines that count or corrupt their calls show it is really used.
import * as tf from '@tensorflow/tfjs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { encoderGraph, ortEncoderEngine, type EncoderEngine, type EncoderOutput } from './encoderEngine.ts'
import { matMulBias } from './ops.ts'
import { setStepPath, type StepPath } from './stepPath.ts'
import { worstRelativeDiff } from './testing/checkpointDiff.ts'
import { InProcessShardPool } from './testing/inProcessShardPool.ts'
import { randomTensor } from './testing/random.ts'
import { failThenMend, stepTwins } from './testing/trainerTwins.ts'
import { SaeTrainer } from './trainer.ts'
import type { TrainArchitecture } from './types.ts'

let ort: EncoderEngine
beforeAll(async () => {
  await selectBackend(['wasm'])
  ort = await ortEncoderEngine(1)
})
afterAll(async () => {
  await ort.dispose()
})
afterEach(() => setStepPath('auto'))

/** Wraps `inner`, counting calls and optionally changing what it returns. */
function watched(inner: EncoderEngine, change: (out: EncoderOutput) => EncoderOutput = (out) => out): EncoderEngine & { calls: number } {
  const engine = {
    calls: 0,
    label: `watched ${inner.label}`,
    async encode(...args: Parameters<EncoderEngine['encode']>) {
      engine.calls++
      return change(await inner.encode(...args))
    },
    dispose: () => inner.dispose(),
  }
  return engine
}

describe('ortEncoderEngine', () => {
  it('computes xc·W + b as tfjs does, for any batch and shape', async () => {
    expect(ort.label).toMatch(/onnxruntime-node \(cpu\), 1 thread$/)
    for (const [n, dIn, dSae] of [[1, 3, 5], [37, 16, 64], [256, 48, 300]] as const) {
      const xc = randomTensor([n, dIn], n) as tf.Tensor2D
      const w = randomTensor([dIn, dSae], dIn) as tf.Tensor2D
      const b = randomTensor([dSae], dSae) as tf.Tensor1D
      const expected = matMulBias(xc, w, b)
      const [xa, wa, ba, want] = (await Promise.all([xc.data(), w.data(), b.data(), expected.data()])) as Float32Array[]
      const got = await ort.encode(xa!, wa!, ba!, n, dIn, dSae)
      expect(got.pre.length).toBe(n * dSae)
      expect(got.selected).toBeNull()
      let worst = 0
      got.pre.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want![i]!))))
      expect(worst, `[${n}, ${dIn}]·[${dIn}, ${dSae}]`).toBeLessThan(1e-4 * Math.sqrt(dIn))
      tf.dispose([xc, w, b, expected])
    }
  })

  it("chooses TopK's slots: the k largest pre·norms of each row", async () => {
    const [n, dIn, dSae, k] = [64, 8, 40, 5]
    const tensors = [randomTensor([n, dIn], 1), randomTensor([dIn, dSae], 2), randomTensor([dSae], 3)]
    const [xa, wa, ba] = (await Promise.all(tensors.map((t) => t.data()))) as Float32Array[]
    tf.dispose(tensors)
    const norms = Float32Array.from({ length: dSae }, (_, i) => 0.5 + (i % 7) / 7)
    const top = await ort.encode(xa!, wa!, ba!, n, dIn, dSae, { kind: 'topk', k, norms })
    const chosen = top.selected!
    expect(chosen.width).toBe(k)
    for (let r = 0; r < n; r++) {
      const byScore = Array.from(top.pre.subarray(r * dSae, (r + 1) * dSae), (v, i) => [v * norms[i]!, i] as const).sort((a, b) => b[0] - a[0])
      const slots = chosen.slots.subarray(r * k, (r + 1) * k)
      expect([...slots].sort((a, b) => a - b), `row ${r}`).toEqual(byScore.slice(0, k).map(([, i]) => i).sort((a, b) => a - b))
      slots.forEach((latent, j) => {
        expect(chosen.pres[r * k + j], 'pre at the slot').toBe(top.pre[r * dSae + latent])
        expect(chosen.scores[r * k + j]).toBeCloseTo(top.pre[r * dSae + latent]! * norms[latent]!, 5)
      })
    }
  })

  it('rejects arrays that do not match the shape, and a thread count below one', async () => {
    const a = new Float32Array(6)
    await expect(ort.encode(a, new Float32Array(6), new Float32Array(3), 2, 3, 3)).rejects.toThrow(/encoder's weights needs 9 values, got 6/)
    await expect(ort.encode(new Float32Array(5), new Float32Array(9), new Float32Array(3), 2, 3, 3)).rejects.toThrow(/encoder's input needs 6 values, got 5/)
    await expect(ort.encode(a, new Float32Array(9), new Float32Array(2), 2, 3, 3)).rejects.toThrow(/encoder's bias needs 3 values, got 2/)
    await expect(ortEncoderEngine(0)).rejects.toThrow(/at least one thread, got 0/)
    const [x, w, b] = [new Float32Array(6), new Float32Array(9), new Float32Array(3)]
    await expect(ort.encode(x, w, b, 2, 3, 3, { kind: 'topk', k: 4, norms: new Float32Array(3) })).rejects.toThrow(/k must be in 1..3, got 4/)
    await expect(ort.encode(x, w, b, 2, 3, 3, { kind: 'topk', k: 2, norms: new Float32Array(2) })).rejects.toThrow(/norms needs 3 values, got 2/)
  })

  it('builds a graph with and one without the selection, with symbolic dimensions (one session serves every shape)', () => {
    expect(encoderGraph('topk').length).toBeGreaterThan(encoderGraph('plain').length)
  })
})

const dIn = 12
const dSae = 48
const n = 200

/** Two trainers stepped on the same batches, the second given `engine` (and `pool`); both checkpoints. */
async function trainPair(architecture: TrainArchitecture, extra: Record<string, number | boolean | number[]>, engine: EncoderEngine, path: StepPath, pool: InProcessShardPool | null = null, steps = 4) {
  const options = { architecture, dIn, dSae, totalSteps: 100, logEvery: 1000, checkpointEvery: 0, k: 3, lr: 1e-2, ...extra }
  const setUp = (t: SaeTrainer) => {
    t.useEncoder(engine)
    t.useThreads(pool)
  }
  const run = await stepTwins(options, setUp, path, steps, n, 500)
  expect(run.leaked, 'no tensor leaks').toBe(0)
  const lossDiff = Math.max(...run.losses.map(([a, b]) => Math.abs(a - b) / Math.abs(a))) // the largest relative difference
  return { plain: run.plain, withEngine: run.other, lossDiff }
}

describe('a trainer whose encoder forward runs on onnxruntime takes the same steps', () => {
  const cases: Array<[TrainArchitecture, Record<string, number | boolean>, StepPath]> = [
    ['standard', { l1Coefficient: 0.5, sparsityWarmupFraction: 0 }, 'sparse'],
    ['standard', { l1Coefficient: 0.5, sparsityWarmupFraction: 0 }, 'auto'],
    ['topk', { auxKCoefficient: 0 }, 'sparse'],
    ['topk', { dSae: 512, k: 1, deadWindowTokens: 16, kAux: 5, auxKCoefficient: 0.5 }, 'sparse'], // most latents die after a step: AuxK runs
    ['topk', { dSae: 512, k: 1, deadWindowTokens: 16, kAux: 5, auxKCoefficient: 0.5 }, 'auto'],
    ['batchtopk', {}, 'sparse'],
    ['jumprelu', { l0Coefficient: 0.1, jumpReluBandwidth: 0.5, sparsityWarmupFraction: 0 }, 'sparse'],
    ['jumprelu', { l0Coefficient: 0.1, jumpReluBandwidth: 0.5, sparsityWarmupFraction: 0, applyBDecToInput: false }, 'auto'],
  ]
  for (const [architecture, extra, path] of cases) {
    it(`${architecture} (${path}) ${JSON.stringify(extra)}`, async () => {
      const engine = watched(ort)
      const { plain, withEngine, lossDiff } = await trainPair(architecture, extra, engine, path)
      expect(engine.calls, 'every step used the engine').toBe(4)
      expect(lossDiff).toBeLessThan(1e-5)
      if ('kAux' in extra) expect(plain.state.window.aux, 'AuxK should have run').toBeGreaterThan(0)
      const worst = worstRelativeDiff(plain, withEngine)
      expect(worst.value, `${worst.name}: relative max abs diff`).toBeLessThan(2e-4)
    })
  }

  it('and split into row shards, each shard using the engine too', async () => {
    const engine = watched(ort)
    const pool = new InProcessShardPool(2, (r) => r, engine)
    const { plain, withEngine, lossDiff } = await trainPair('topk', { auxKCoefficient: 0 }, engine, 'sparse', pool)
    expect(pool.calls).toBe(4)
    expect(lossDiff).toBeLessThan(1e-5)
    expect(engine.calls, 'three shards a step').toBe(12)
    expect(worstRelativeDiff(plain, withEngine).value).toBeLessThan(2e-4)
  })

  it('detects an engine that is wrong (the comparison can fail)', async () => {
    const shift = (a: Float32Array) => a.map((v) => v + 0.05)
    const shifted = watched(ort, (out) => ({ pre: shift(out.pre), selected: out.selected ? { ...out.selected, pres: shift(out.selected.pres) } : null }))
    const { plain, withEngine, lossDiff } = await trainPair('topk', { auxKCoefficient: 0 }, shifted, 'sparse')
    expect(shifted.calls).toBe(4)
    expect(lossDiff).toBeGreaterThan(1e-3)
    expect(worstRelativeDiff(plain, withEngine).value).toBeGreaterThan(1e-2)
  })

  it('leaves the dense path and Matryoshka BatchTopK to tfjs (the engine is never called)', async () => {
    const engine = watched(ort)
    await trainPair('topk', { auxKCoefficient: 0 }, engine, 'dense', null, 2)
    const m = await trainPair('matryoshka_batchtopk', { matryoshkaWidths: [12, 48] }, engine, 'auto', null, 2)
    expect(engine.calls).toBe(0)
    expect(worstRelativeDiff(m.plain, m.withEngine).value).toBe(0)
  })

  it('detects slots chosen wrongly (the selection is used, not recomputed)', async () => {
    const reversed = watched(ort, (out) => ({ ...out, selected: out.selected ? { ...out.selected, slots: out.selected.slots.map((i) => dSae - 1 - i) } : null }))
    const { plain, withEngine, lossDiff } = await trainPair('topk', { auxKCoefficient: 0 }, reversed, 'sparse')
    expect(reversed.calls).toBe(4)
    expect(lossDiff).toBeGreaterThan(1e-3)
    expect(worstRelativeDiff(plain, withEngine).value).toBeGreaterThan(1e-2)
  })

  it('an engine that fails rejects the step and leaves the trainer as it was', async () => {
    const failing: EncoderEngine = { label: 'failing', encode: () => Promise.reject(new Error('encoder lost')), dispose: async () => {} }
    const run = await failThenMend({ architecture: 'topk', dIn, dSae, totalSteps: 10, k: 3 }, n, (t) => t.useEncoder(failing), (t) => t.useEncoder(null))
    expect(String(run.error)).toMatch(/encoder lost/)
    expect(run).toMatchObject({ leaked: 0, stepAfterFailure: 0, changed: 0, stepAfterMend: 1 })
  })
})
