// The sparse SAE step equals the dense one (gradients.ts's dense* steps, themselves checked against autodiff in
// gradients.test.ts): losses, every gradient, fire counts, and the trainer's parameters and Adam moments after steps.
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import {
  denseJumpReluLossAndGrads,
  denseStandardLossAndGrads,
  denseTopkLossAndGrads,
  jumpReluLossAndGrads,
  standardLossAndGrads,
  topkLossAndGrads,
  type LossAndGrads,
} from './gradients.ts'
import { tidyObject } from './ops.ts'
import { setStepPath, sparseFor, SPARSE_MAX_DENSITY } from './stepPath.ts'
import { maxAbs, maxAbsDiff, randomArray, randomTensor } from './testing/random.ts'
import { worstRelativeDiff } from './testing/checkpointDiff.ts'
import { SaeTrainer } from './trainer.ts'
import type { TrainParams } from './trainParams.ts'
import type { TrainArchitecture } from './types.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})
afterEach(() => setStepPath('auto'))

function makeParams(dIn: number, dSae: number, seed: number, opts: { threshold?: boolean; bEnc?: number } = {}): TrainParams {
  const p: TrainParams = {
    W_enc: randomTensor([dIn, dSae], seed, 0.5) as tf.Tensor2D,
    b_enc: randomTensor([dSae], seed + 1, 0.1, opts.bEnc ?? 0) as tf.Tensor1D,
    W_dec_T: randomTensor([dIn, dSae], seed + 2, 0.5) as tf.Tensor2D,
    b_dec: randomTensor([dIn], seed + 3, 0.1) as tf.Tensor1D,
  }
  if (opts.threshold) p.log_threshold = tf.log(tf.add(tf.abs(randomTensor([dSae], seed + 4, 0.3)), 0.05)) as tf.Tensor1D
  return p
}

/** Relative max difference, scaled by the larger magnitude (or 1e-3 for tensors that are ~0). */
function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape)
  return maxAbsDiff(a, b) / Math.max(1e-3, maxAbs(b))
}

function expectSame(sparse: LossAndGrads, dense: LossAndGrads, tol = 1e-5): void {
  const [s, d] = [Array.from(sparse.stats.dataSync()), Array.from(dense.stats.dataSync())]
  s.forEach((v, i) => expect(Math.abs(v - d[i]!) / Math.max(1e-6, Math.abs(d[i]!)), `stat ${i}: ${v} vs ${d[i]}`).toBeLessThan(tol))
  expect(Object.keys(sparse.grads).sort()).toEqual(Object.keys(dense.grads).sort())
  for (const [name, g] of Object.entries(dense.grads)) {
    expect(maxAbs(g), `${name} should be exercised`).toBeGreaterThan(0)
    expect(relDiff(sparse.grads[name as keyof typeof sparse.grads]!, g), name).toBeLessThan(tol)
  }
  expect(Array.from(sparse.fireCounts.dataSync())).toEqual(Array.from(dense.fireCounts.dataSync()))
  if (dense.minSelected) expect(sparse.minSelected!.dataSync()[0]).toBe(dense.minSelected.dataSync()[0])
}

function release(...results: LossAndGrads[]): void {
  for (const r of results) tf.dispose([r.stats, r.fireCounts, ...Object.values(r.grads), ...(r.minSelected ? [r.minSelected] : [])])
}

/** Runs `step` once pinned sparse and once with the dense step, compares, and checks nothing leaks. */
function compareStep(step: () => LossAndGrads, dense: () => LossAndGrads): void {
  const before = tf.memory().numTensors
  setStepPath('sparse')
  const s = tidyObject(step)
  setStepPath('auto')
  const d = tidyObject(dense)
  expectSame(s, d)
  release(s, d)
  expect(tf.memory().numTensors).toBe(before)
}

const n = 16
const dIn = 8
const dSae = 64

for (const backend of ['wasm', 'cpu'] as const) describe(`sparse SAE step equals the dense step (${backend})`, () => {
  beforeAll(async () => {
    await selectBackend([backend])
  })

  it('standard (slots hold every active latent; rows with fewer use empty slots)', () => {
    const p = makeParams(dIn, dSae, 1, { bEnc: -0.8 }) // a negative bias: a few active latents a row, unevenly
    const x = randomTensor([n, dIn], 9) as tf.Tensor2D
    for (const applyBDecToInput of [true, false]) {
      const o = { l1: 0.7, applyBDecToInput }
      compareStep(() => standardLossAndGrads(p, x, o), () => denseStandardLossAndGrads(p, x, o))
    }
    tf.dispose([...Object.values(p), x])
  })

  it('topk and batchtopk, with and without AuxK dead latents', () => {
    const p = makeParams(dIn, dSae, 2)
    const x = randomTensor([n, dIn], 10) as tf.Tensor2D
    const dead = tf.tensor1d(Float32Array.from({ length: dSae }, (_, i) => (i % 3 === 0 ? 1 : 0))) // 22 dead
    for (const mode of ['row', 'batch'] as const) {
      for (const [d, deadCount, kAux] of [[null, 0, 6], [dead, 22, 6], [dead, 22, 40]] as const) {
        // kAux 40 > 22 dead: AuxK recruits all 22 and scales its loss by 22/40.
        const o = { mode, k: mode === 'row' ? 4 : 3.5, applyBDecToInput: true, dead: d, deadCount, kAux, auxCoefficient: 0.25 }
        compareStep(() => topkLossAndGrads(p, x, o), () => denseTopkLossAndGrads(p, x, o))
      }
    }
    tf.dispose([...Object.values(p), x, dead])
  })

  it('jumprelu (slots cover the active latents and the θ band)', () => {
    const p = makeParams(dIn, dSae, 4, { threshold: true, bEnc: -0.3 })
    const x = randomTensor([n, dIn], 12) as tf.Tensor2D
    const o = { l0: 0.3, bandwidth: 0.5, applyBDecToInput: true } // a wide band: many θ gradients to get right
    compareStep(() => jumpReluLossAndGrads(p, x, o), () => denseJumpReluLossAndGrads(p, x, o))
    tf.dispose([...Object.values(p), x])
  })

  it('for random shapes, seeds and k (topk with AuxK)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 2, max: 10 }),
        fc.integer({ min: 8, max: 48 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 1000 }),
        (rows, din, dsae, k, seed) => {
          const p = makeParams(din, dsae, seed)
          const x = randomTensor([rows, din], seed + 7) as tf.Tensor2D
          const deadArr = Float32Array.from(randomArray(dsae, seed + 8), (v) => (v > 0.5 ? 1 : 0))
          const deadCount = deadArr.reduce((a, b) => a + b, 0)
          const dead = tf.tensor1d(deadArr)
          const o = { mode: 'row' as const, k: Math.min(k, dsae), applyBDecToInput: true, dead, deadCount, kAux: 3, auxCoefficient: 0.5 }
          try {
            compareStep(() => topkLossAndGrads(p, x, o), () => denseTopkLossAndGrads(p, x, o))
          } finally {
            tf.dispose([...Object.values(p), x, dead])
          }
        },
      ),
      { numRuns: 25, seed: 18 },
    )
  })

  it('detects a difference (the comparison can fail)', () => {
    const p = makeParams(dIn, dSae, 5)
    const x = randomTensor([n, dIn], 13) as tf.Tensor2D
    const o = { mode: 'row' as const, k: 4, applyBDecToInput: true, dead: null, deadCount: 0, kAux: 4, auxCoefficient: 0 }
    setStepPath('sparse')
    const s = tidyObject(() => topkLossAndGrads(p, x, { ...o, k: 5 })) // one more latent a row
    setStepPath('auto')
    const d = tidyObject(() => denseTopkLossAndGrads(p, x, o))
    expect(() => expectSame(s, d)).toThrow()
    release(s, d)
    tf.dispose([...Object.values(p), x])
  })
})

describe('the step path', () => {
  beforeAll(async () => {
    await selectBackend(['wasm'])
  })

  it('is sparse on wasm below the measured density, dense above it or when pinned', () => {
    expect(sparseFor(Math.floor(4096 * SPARSE_MAX_DENSITY), 1024, 256, 4096)).toBe(true)
    expect(sparseFor(Math.floor(4096 * SPARSE_MAX_DENSITY) + 1, 1024, 256, 4096)).toBe(false)
    expect(sparseFor(32, 1024, 256, 4096)).toBe(true)
    setStepPath('dense')
    expect(sparseFor(1, 1024, 256, 4096)).toBe(false)
    setStepPath('sparse')
    expect(sparseFor(4096, 1024, 256, 4096)).toBe(true)
  })
})

/** Two trainers, one pinned sparse and one dense, stepped in turn on the same batches; returns both checkpoints. */
async function trainBoth(architecture: TrainArchitecture, extra: Record<string, number | boolean>, steps: number) {
  const options = { architecture, dIn, dSae, totalSteps: 100, logEvery: 1000, checkpointEvery: 0, k: 3, lr: 1e-2, ...extra }
  const sparse = SaeTrainer.create(options)
  const dense = SaeTrainer.create(options)
  const before = tf.memory().numTensors
  try {
    for (let step = 0; step < steps; step++) {
      const batch = randomTensor([n, dIn], 100 + step) as tf.Tensor2D
      setStepPath('sparse')
      const a = await sparse.trainStep(batch)
      setStepPath('dense')
      const b = await dense.trainStep(batch)
      batch.dispose()
      expect(Math.abs(a.loss - b.loss) / Math.abs(b.loss), `loss at step ${step + 1}`).toBeLessThan(1e-5)
      expect(Math.abs(a.aux - b.aux), `aux at step ${step + 1}`).toBeLessThanOrEqual(1e-5 * Math.abs(b.aux))
    }
    expect(tf.memory().numTensors).toBe(before)
    return { sparse: await sparse.checkpoint(), dense: await dense.checkpoint() }
  } finally {
    sparse.dispose()
    dense.dispose()
  }
}

describe('trainer steps: sparse and dense agree on parameters and Adam state', () => {
  const cases: Array<[TrainArchitecture, Record<string, number | boolean>]> = [
    ['standard', { l1Coefficient: 0.5, sparsityWarmupFraction: 0 }],
    ['topk', { auxKCoefficient: 0 }],
    ['topk', { deadWindowTokens: 16, kAux: 5, auxKCoefficient: 0.5 }], // most latents dead after one step: AuxK runs
    ['batchtopk', { deadWindowTokens: 16, kAux: 5, auxKCoefficient: 0.5 }],
    ['jumprelu', { l0Coefficient: 0.1, jumpReluBandwidth: 0.5, sparsityWarmupFraction: 0 }],
  ]
  for (const [architecture, extra] of cases) {
    it(`${architecture} ${JSON.stringify(extra)}`, async () => {
      const { sparse, dense } = await trainBoth(architecture, extra, 5)
      if (architecture !== 'standard' && architecture !== 'jumprelu' && 'kAux' in extra) {
        expect(dense.state.window.aux, 'AuxK should have run').toBeGreaterThan(0)
      }
      const worst = worstRelativeDiff(dense, sparse)
      expect(worst.value, `${worst.name}: relative max abs diff`).toBeLessThan(2e-4)
      expect(sparse.state.batchTopKThreshold).toBeCloseTo(dense.state.batchTopKThreshold, 6)
    })
  }
})
