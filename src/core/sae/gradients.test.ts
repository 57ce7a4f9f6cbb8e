// The hand-written gradients equal tf autodiff of SAELens-style losses, for every trained architecture.
import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { jumpReluLossAndGrads, penaltyShares, standardLossAndGrads, topkLossAndGrads, type LossAndGrads } from './gradients.ts'
import { referenceLossAndGrads, type ReferenceArch } from './testing/autodiff.ts'
import { tidyObject } from './ops.ts'
import { setStepPath } from './stepPath.ts'
import { maxAbs, maxAbsDiff, randomTensor } from './testing/random.ts'
import type { ParamName, TrainParams } from './trainParams.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const n = 8
const dIn = 6
const dSae = 12

function makeParams(seed: number, withThreshold = false): TrainParams {
  const p: TrainParams = {
    W_enc: randomTensor([dIn, dSae], seed, 0.5) as tf.Tensor2D,
    b_enc: randomTensor([dSae], seed + 1, 0.1) as tf.Tensor1D,
    W_dec_T: randomTensor([dIn, dSae], seed + 2, 0.5) as tf.Tensor2D,
    b_dec: randomTensor([dIn], seed + 3, 0.1) as tf.Tensor1D,
  }
  if (withThreshold) p.log_threshold = tf.log(tf.add(tf.abs(randomTensor([dSae], seed + 4, 0.3)), 0.05)) as tf.Tensor1D
  return p
}

function compare(hand: LossAndGrads, ref: { loss: number; grads: Partial<Record<ParamName, tf.Tensor>> }) {
  const loss = hand.stats.dataSync()[0]!
  expect(loss).toBeCloseTo(ref.loss, 4)
  const names = Object.keys(ref.grads) as ParamName[]
  expect(Object.keys(hand.grads).sort()).toEqual([...names].sort())
  for (const name of names) {
    const a = hand.grads[name]!
    const b = ref.grads[name]!
    expect(a.shape, name).toEqual(b.shape)
    const scale = Math.max(1e-3, maxAbs(b))
    expect(maxAbsDiff(a, b) / scale, `${name}: relative max abs diff`).toBeLessThan(2e-5)
    expect(maxAbs(b), `${name} should be exercised`).toBeGreaterThan(0)
  }
}

/** Compares, and returns the hand-written step's stats (loss, mse, sparsity, aux, sse, sst). */
function check(params: TrainParams, x: tf.Tensor2D, hand: () => LossAndGrads, arch: ReferenceArch, applyBDec = true): number[] {
  const before = tf.memory().numTensors
  const h = tidyObject(hand)
  const ref = referenceLossAndGrads(params, x, arch, applyBDec)
  compare(h, ref)
  const stats = Array.from(h.stats.dataSync()) as number[]
  tf.dispose([h.stats, h.fireCounts, ...Object.values(h.grads), ...Object.values(ref.grads), ...(h.minSelected ? [h.minSelected] : [])])
  expect(tf.memory().numTensors).toBe(before)
  return stats
}

// Both paths: these shapes are too small for the automatic choice to go sparse, so each is pinned in turn.
for (const path of ['dense', 'sparse'] as const) describe(`hand-written SAE gradients equal autodiff (${path} step)`, () => {
  beforeEach(() => setStepPath(path))
  afterEach(() => setStepPath('auto'))

  it('standard (ReLU + λ Σ f‖W_dec‖), with and without b_dec on the input', () => {
    const p = makeParams(1)
    const x = randomTensor([n, dIn], 9) as tf.Tensor2D
    for (const applyBDecToInput of [true, false]) {
      check(p, x, () => standardLossAndGrads(p, x, { l1: 0.7, applyBDecToInput }), { kind: 'standard', l1: 0.7 }, applyBDecToInput)
    }
    tf.dispose([...Object.values(p), x])
  })

  it('standard with dense latents: the first ones left out of the L1 term, or paying a share of it', async () => {
    const p = makeParams(11)
    const x = randomTensor([n, dIn], 19) as tf.Tensor2D
    const penalized = Float32Array.from({ length: dSae }, (_, i) => (i < 3 ? 0 : 1))
    const mask = penaltyShares(dSae, 3)
    expect(Array.from(await mask.data())).toEqual(Array.from(penalized))
    const [, , withDense] = check(p, x, () => standardLossAndGrads(p, x, { l1: 0.7, applyBDecToInput: true, penalized: mask }), { kind: 'standard', l1: 0.7, penalized })
    const [, , all] = check(p, x, () => standardLossAndGrads(p, x, { l1: 0.7, applyBDecToInput: true }), { kind: 'standard', l1: 0.7 })
    expect(withDense!, 'the sparsity term loses the dense latents').toBeLessThan(all!)
    const shares = Float32Array.from({ length: dSae }, (_, i) => (i < 3 ? 0.25 : 1))
    const partial = penaltyShares(dSae, 3, 0.25)
    check(p, x, () => standardLossAndGrads(p, x, { l1: 0.7, applyBDecToInput: true, penalized: partial }), { kind: 'standard', l1: 0.7, penalized: shares })
    tf.dispose([...Object.values(p), x, mask, partial])
  })

  it('topk, with AuxK on dead latents', () => {
    const p = makeParams(2)
    const x = randomTensor([n, dIn], 10) as tf.Tensor2D
    const deadArr = Float32Array.from({ length: dSae }, (_, i) => (i % 3 === 0 ? 1 : 0)) // 4 dead
    const dead = tf.tensor1d(deadArr)
    for (const [d, count] of [[null, 0], [dead, 4]] as const) {
      const [, , , aux] = check(
        p,
        x,
        () => topkLossAndGrads(p, x, { mode: 'row', k: 3, applyBDecToInput: true, dead: d, deadCount: count, kAux: 3, auxCoefficient: 1 / 32 }),
        { kind: 'topk', k: 3, dead: d ? deadArr : null, kAux: 3, auxCoefficient: 1 / 32 },
      )
      if (d) expect(aux).toBeGreaterThan(0)
      else expect(aux).toBe(0)
    }
    tf.dispose([...Object.values(p), x, dead])
  })

  it('batchtopk, with AuxK (fewer dead latents than kAux scales the loss down)', () => {
    const p = makeParams(3)
    const x = randomTensor([n, dIn], 11) as tf.Tensor2D
    const deadArr = Float32Array.from({ length: dSae }, (_, i) => (i < 2 ? 1 : 0))
    const dead = tf.tensor1d(deadArr)
    const [, , , aux] = check(
      p,
      x,
      () => topkLossAndGrads(p, x, { mode: 'batch', k: 2.5, applyBDecToInput: true, dead, deadCount: 2, kAux: 3, auxCoefficient: 0.5 }),
      { kind: 'batchtopk', k: 2.5, dead: deadArr, kAux: 3, auxCoefficient: 0.5 },
    )
    expect(aux).toBeGreaterThan(0)
    tf.dispose([...Object.values(p), x, dead])
  })

  it('jumprelu (straight-through θ gradients with the rectangle kernel, L0 penalty)', () => {
    const p = makeParams(4, true)
    const x = randomTensor([n, dIn], 12) as tf.Tensor2D
    // A wide bandwidth puts many pre-activations inside the kernel so the θ gradients are exercised.
    const [, , l0Term] = check(p, x, () => jumpReluLossAndGrads(p, x, { l0: 0.3, bandwidth: 0.5, applyBDecToInput: true }), { kind: 'jumprelu', l0: 0.3, bandwidth: 0.5 })
    expect(l0Term).toBeGreaterThan(0)
    tf.dispose([...Object.values(p), x])
  })

  it('detects a wrong gradient (the comparison can fail)', () => {
    const p = makeParams(5)
    const x = randomTensor([n, dIn], 13) as tf.Tensor2D
    const h = tidyObject(() => standardLossAndGrads(p, x, { l1: 0.7, applyBDecToInput: true }))
    const ref = referenceLossAndGrads(p, x, { kind: 'standard', l1: 0.3 }, true) // a different λ
    expect(() => compare(h, ref)).toThrow()
    tf.dispose([h.stats, h.fireCounts, ...Object.values(h.grads), ...Object.values(ref.grads), ...Object.values(p), x])
  })
})
