// Logit effects equal the top-k of a direct matrix product (float64, one feature at a time), chunked or not,
// through ln_final or not, tied or untied head; and leak no tensors.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { CancelledError, InvalidArgumentError } from '../errors.ts'
import { randomArray } from '../sae/testing/random.ts'
import { logitEffects, modelUnembedding, type LogitEffectOptions } from './logitEffects.ts'
import { tinyModel } from './testing/fixtures.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

/** d̂·W_U per feature in float64 with the same ln_final and centring choices, sorted both ways. */
function direct(wDec: Float32Array, n: number, d: number, wU: Float32Array, vocab: number, gain: Float32Array | null, centerVocab: boolean, k: number) {
  const out: { promoted: number[]; promotedValues: number[]; suppressed: number[]; suppressedValues: number[] }[] = []
  for (let i = 0; i < n; i++) {
    let dir = Array.from(wDec.subarray(i * d, (i + 1) * d))
    const norm = Math.hypot(...dir)
    dir = dir.map((x) => (norm > 0 ? x / norm : 0))
    if (gain) {
      const mean = dir.reduce((a, b) => a + b, 0) / d
      dir = dir.map((x, t) => (x - mean) * gain[t]!)
    }
    let logits = Array.from({ length: vocab }, (_, v) => dir.reduce((a, x, t) => a + x * wU[v * d + t]!, 0))
    if (centerVocab) {
      const mean = logits.reduce((a, b) => a + b, 0) / vocab
      logits = logits.map((x) => x - mean)
    }
    const order = logits.map((_, v) => v).sort((a, b) => logits[b]! - logits[a]!)
    const low = [...order].reverse()
    out.push({ promoted: order.slice(0, k), promotedValues: order.slice(0, k).map((v) => logits[v]!), suppressed: low.slice(0, k), suppressedValues: low.slice(0, k).map((v) => logits[v]!) })
  }
  return out
}

describe('logitEffects', () => {
  for (const [label, untied, opts] of [
    ['through ln_final, centred, in chunks of 5', false, { k: 6, chunkSize: 5 }],
    ['the plain product W_dec·W_U, one chunk', false, { k: 4, throughLnFinal: false, centerVocab: false }],
    ['an untied lm_head', true, { k: 3, chunkSize: 7 }],
  ] as [string, boolean, LogitEffectOptions][]) {
    it(`equals a direct matrix product's top-k: ${label}`, async () => {
      const model = tinyModel({ untiedLmHead: untied })
      const n = 23
      const d = model.config.dModel
      const data = randomArray(n * d, 21, 0.7)
      data.fill(0, 4 * d, 5 * d) // a zero decoder row
      const wDec = tf.tensor2d(data, [n, d])
      const before = tf.memory().numTensors
      const u = modelUnembedding(model)
      expect(u.wU).toBe(model.differentiable()!.parameters().get(untied ? 'lm_head.weight' : 'wte.weight'))
      const got = await logitEffects(wDec, u, opts)
      expect(tf.memory().numTensors).toBe(before)
      const through = opts.throughLnFinal ?? true
      const want = direct(data, n, d, u.wU.dataSync() as Float32Array, model.config.vocabSize, through ? (u.lnGain!.dataSync() as Float32Array) : null, opts.centerVocab ?? true, opts.k)
      for (let i = 0; i < n; i++) {
        if (i === 4) {
          expect(Array.from(got.promotedValues.subarray(i * opts.k, (i + 1) * opts.k)).every((v) => v === 0)).toBe(true)
          continue
        }
        const w = want[i]!
        expect(Array.from(got.promotedIds.subarray(i * opts.k, (i + 1) * opts.k))).toEqual(w.promoted)
        expect(Array.from(got.suppressedIds.subarray(i * opts.k, (i + 1) * opts.k))).toEqual(w.suppressed)
        w.promotedValues.forEach((v, t) => expect(got.promotedValues[i * opts.k + t]).toBeCloseTo(v, 4))
        w.suppressedValues.forEach((v, t) => expect(got.suppressedValues[i * opts.k + t]).toBeCloseTo(v, 4))
      }
      wDec.dispose()
      model.dispose()
    })
  }

  it('refuses decoders of another width and stops when cancelled', async () => {
    const model = tinyModel()
    const wide = tf.zeros([3, 64]) as tf.Tensor2D
    await expect(logitEffects(wide, modelUnembedding(model), { k: 2 })).rejects.toBeInstanceOf(InvalidArgumentError)
    const wDec = tf.tensor2d(randomArray(20 * 16, 1), [20, 16])
    const controller = new AbortController()
    const run = logitEffects(wDec, modelUnembedding(model), { k: 2, chunkSize: 4 }, { signal: controller.signal, onProgress: () => controller.abort() })
    await expect(run).rejects.toBeInstanceOf(CancelledError)
    tf.dispose([wide, wDec])
    model.dispose()
  })
})
