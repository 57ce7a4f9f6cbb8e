// The hand-written Matryoshka BatchTopK gradients equal tf autodiff of SAELens's loss (testing/autodiff.ts writes it
// with prefix slices, sharing no code with the blockwise suffix-sum derivation), for several width lists.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { topkLossAndGrads, type LossAndGrads } from './gradients.ts'
import { matryoshkaLossAndGrads } from './matryoshkaGradients.ts'
import { referenceLossAndGrads } from './testing/autodiff.ts'
import { tidyObject } from './ops.ts'
import { maxAbs, maxAbsDiff, randomTensor } from './testing/random.ts'
import type { ParamName, TrainParams } from './trainParams.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const n = 8
const dIn = 6
const dSae = 12

function makeParams(seed: number): TrainParams {
  return {
    W_enc: randomTensor([dIn, dSae], seed, 0.5) as tf.Tensor2D,
    b_enc: randomTensor([dSae], seed + 1, 0.1) as tf.Tensor1D,
    W_dec_T: randomTensor([dIn, dSae], seed + 2, 0.5) as tf.Tensor2D,
    b_dec: randomTensor([dIn], seed + 3, 0.1) as tf.Tensor1D,
  }
}

function dispose(h: LossAndGrads) {
  tf.dispose([h.stats, h.fireCounts, ...Object.values(h.grads), ...(h.minSelected ? [h.minSelected] : [])])
}

/** Relative max-abs difference of every gradient (and the loss) against the reference; throws on a mismatch. */
function compare(hand: LossAndGrads, ref: { loss: number; grads: Partial<Record<ParamName, tf.Tensor>> }) {
  expect(hand.stats.dataSync()[0]!).toBeCloseTo(ref.loss, 4)
  const names = Object.keys(ref.grads) as ParamName[]
  expect(Object.keys(hand.grads).sort()).toEqual([...names].sort())
  for (const name of names) {
    const scale = Math.max(1e-3, maxAbs(ref.grads[name]!))
    expect(hand.grads[name]!.shape, name).toEqual(ref.grads[name]!.shape)
    expect(maxAbsDiff(hand.grads[name]!, ref.grads[name]!) / scale, `${name}: relative max abs diff`).toBeLessThan(2e-5)
    expect(maxAbs(ref.grads[name]!), `${name} should be exercised`).toBeGreaterThan(0)
  }
}

const WIDTH_LISTS = [[12], [3, 12], [1, 5, 12], [2, 5, 7, 11, 12], [4, 8, 12]]

describe('Matryoshka BatchTopK gradients equal autodiff', () => {
  for (const widths of WIDTH_LISTS) {
    for (const withDead of [false, true]) {
      it(`widths [${widths.join(', ')}]${withDead ? ', with AuxK' : ''}`, () => {
        const p = makeParams(20 + widths.length)
        const x = randomTensor([n, dIn], 30 + widths[0]!) as tf.Tensor2D
        const deadArr = Float32Array.from({ length: dSae }, (_, i) => (i % 4 === 1 ? 1 : 0)) // 3 dead (< kAux: scaled down)
        const dead = tf.tensor1d(deadArr)
        const before = tf.memory().numTensors
        const opts = { k: 3.5, widths, applyBDecToInput: true, dead: withDead ? dead : null, deadCount: withDead ? 3 : 0, kAux: 4, auxCoefficient: 0.5 }
        const h = tidyObject(() => matryoshkaLossAndGrads(p, x, opts))
        const ref = referenceLossAndGrads(p, x, { kind: 'matryoshka_batchtopk', k: 3.5, widths, dead: withDead ? deadArr : null, kAux: 4, auxCoefficient: 0.5 })
        compare(h, ref)
        const [loss, mse, , aux] = Array.from(h.stats.dataSync())
        if (withDead) expect(aux).toBeGreaterThan(0)
        else expect(aux).toBe(0)
        // Every inner prefix reconstructs worse than the whole dictionary, so extra levels add to the loss.
        if (widths.length > 1) expect(loss! - aux!).toBeGreaterThan(mse! * 1.01)
        else expect(loss! - aux!).toBeCloseTo(mse!, 5)
        dispose(h)
        tf.dispose(Object.values(ref.grads))
        expect(tf.memory().numTensors).toBe(before)
        tf.dispose([...Object.values(p), x, dead])
      })
    }
  }

  it('without b_dec on the input', () => {
    const p = makeParams(40)
    const x = randomTensor([n, dIn], 41) as tf.Tensor2D
    const widths = [5, 9, 12]
    const h = tidyObject(() => matryoshkaLossAndGrads(p, x, { k: 2, widths, applyBDecToInput: false, dead: null, deadCount: 0, kAux: 3, auxCoefficient: 1 }))
    const ref = referenceLossAndGrads(p, x, { kind: 'matryoshka_batchtopk', k: 2, widths, dead: null, kAux: 3, auxCoefficient: 1 }, false)
    compare(h, ref)
    dispose(h)
    tf.dispose([...Object.values(ref.grads), ...Object.values(p), x])
  })

  it('one level is BatchTopK exactly (same loss, gradients, fire counts and threshold statistic)', () => {
    const p = makeParams(50)
    const x = randomTensor([n, dIn], 51) as tf.Tensor2D
    const dead = tf.tensor1d(Float32Array.from({ length: dSae }, (_, i) => (i < 5 ? 1 : 0)))
    const common = { k: 2.5, applyBDecToInput: true, dead, deadCount: 5, kAux: 3, auxCoefficient: 1 / 32 }
    const m = tidyObject(() => matryoshkaLossAndGrads(p, x, { ...common, widths: [dSae] }))
    const b = tidyObject(() => topkLossAndGrads(p, x, { ...common, mode: 'batch' }))
    expect(maxAbsDiff(m.stats, b.stats)).toBeLessThan(1e-5)
    expect(maxAbsDiff(m.fireCounts, b.fireCounts)).toBe(0)
    expect(m.minSelected!.dataSync()[0]).toBe(b.minSelected!.dataSync()[0])
    for (const name of Object.keys(b.grads) as ParamName[]) expect(maxAbsDiff(m.grads[name]!, b.grads[name]!), name).toBeLessThan(1e-6)
    dispose(m)
    dispose(b)
    tf.dispose([...Object.values(p), x, dead])
  })

  it('detects wrong widths (the comparison can fail)', () => {
    const p = makeParams(60)
    const x = randomTensor([n, dIn], 61) as tf.Tensor2D
    const h = tidyObject(() => matryoshkaLossAndGrads(p, x, { k: 3, widths: [4, 12], applyBDecToInput: true, dead: null, deadCount: 0, kAux: 3, auxCoefficient: 1 }))
    const ref = referenceLossAndGrads(p, x, { kind: 'matryoshka_batchtopk', k: 3, widths: [6, 12], dead: null, kAux: 3, auxCoefficient: 1 })
    expect(() => compare(h, ref)).toThrow()
    dispose(h)
    tf.dispose([...Object.values(ref.grads), ...Object.values(p), x])
  })

  it('refuses widths that do not end at d_sae', () => {
    const p = makeParams(70)
    const x = randomTensor([n, dIn], 71) as tf.Tensor2D
    expect(() => tf.tidy(() => matryoshkaLossAndGrads(p, x, { k: 3, widths: [4, 8], applyBDecToInput: true, dead: null, deadCount: 0, kAux: 3, auxCoefficient: 1 }).stats)).toThrow(/must be d_sae/)
    tf.dispose([...Object.values(p), x])
  })
})
