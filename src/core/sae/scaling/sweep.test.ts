// A sweep run's held-out loss against a plain-JS recomputation of the standard objective from the trained
// weights (sharing no code with the trainer's loss), its bookkeeping, and no leaked tensors.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ActivationCache } from '../activationCache.ts'
import { CachedActivationSource } from '../activationCache.ts'
import { SaeTrainer } from '../trainer.ts'
import { randomDictionary, sparseBatches } from '../testing/synthetic.ts'
import { trainingFlops } from './frontier.ts'
import { runSweepPoint, splitCache, type SweepBase } from './sweep.ts'

const dIn = 8
const rows = 3000
let cache: ActivationCache

beforeAll(async () => {
  await tf.setBackend('cpu')
  const next = sparseBatches(randomDictionary(dIn, 24, 7), rows, 0.1, 11)
  const x = next()
  cache = {
    info: { hookName: 'blocks.0.hook_resid_post', model: 'synthetic', corpus: 'synthetic', contextSize: 1, bosTokenId: null, skipBos: false, tokensProcessed: rows },
    rows,
    dIn,
    data: (await x.data()) as Float32Array,
  }
  x.dispose()
})

const base: SweepBase = { architecture: 'standard', l1Coefficient: 0.5, batch: 64, seed: 3, logEvery: 1000 }

/** The standard objective λ-weighted as the trainer's, from plain arrays: MSE + λ Σᵢ fᵢ‖W_dec,i‖, means over rows. */
function bruteLoss(t: Record<string, Float32Array>, x: Float32Array, n: number, dSae: number, scale: number, l1: number): number {
  const wEnc = t.W_enc!
  const wDecT = t.W_dec_T!
  const bEnc = t.b_enc!
  const bDec = t.b_dec!
  const norms = Array.from({ length: dSae }, (_, i) => Math.hypot(...Array.from({ length: dIn }, (_, j) => wDecT[j * dSae + i]!)))
  let total = 0
  for (let r = 0; r < n; r++) {
    const xs = Array.from({ length: dIn }, (_, j) => x[r * dIn + j]! * scale)
    const f = Array.from({ length: dSae }, (_, i) => Math.max(0, bEnc[i]! + xs.reduce((s, v, j) => s + (v - bDec[j]!) * wEnc[j * dSae + i]!, 0)))
    let sq = 0
    for (let j = 0; j < dIn; j++) sq += (bDec[j]! + f.reduce((s, v, i) => s + v * wDecT[j * dSae + i]!, 0) - xs[j]!) ** 2
    total += sq + l1 * f.reduce((s, v, i) => s + v * norms[i]!, 0)
  }
  return total / n
}

describe('runSweepPoint', () => {
  it('scores the trained SAE on held-out rows with the objective a plain recomputation gives', async () => {
    const spec = { dSae: 16, steps: 20, lr: 3e-3 }
    const result = await runSweepPoint(spec, { cache, heldOutRows: 500, inputScale: 0.7 }, base)
    // The same run again by hand (same seed, same pool, same order) gives the weights the result was scored on.
    const trainer = SaeTrainer.create({ architecture: 'standard', l1Coefficient: 0.5, seed: 3, logEvery: 1000, dIn, dSae: 16, totalSteps: 20, lr: 3e-3, inputScale: 0.7 })
    const source = new CachedActivationSource(splitCache(cache, 500).train, { seed: 3 })
    await trainer.run(() => source.nextBatch(64))
    const checkpoint = await trainer.checkpoint()
    trainer.dispose()
    const t = Object.fromEntries(Object.entries(checkpoint.tensors).map(([k, v]) => [k, v.data]))
    const expected = bruteLoss(t, cache.data.subarray((rows - 500) * dIn), 500, 16, 0.7, 0.5)
    expect(result.loss).toBeCloseTo(expected, 4)
    expect(result.loss).toBeCloseTo(result.mse + result.sparsity, 6)
    expect(result).toMatchObject({ dSae: 16, steps: 20, lr: 3e-3, tokens: 1280, compute: trainingFlops(dIn, 16, 1280) })
    expect(result.fvu).toBeGreaterThan(0)
    expect(result.fvu).toBeLessThan(1)
    expect(result.l0).toBeGreaterThan(0)
  })

  it('scores worse when it trained less (a sweep that can tell runs apart)', async () => {
    const data = { cache, heldOutRows: 500, inputScale: 0.7 }
    const short = await runSweepPoint({ dSae: 16, steps: 2, lr: 3e-3 }, data, base)
    const long = await runSweepPoint({ dSae: 16, steps: 38, lr: 3e-3 }, data, base)
    expect(long.loss).toBeLessThan(short.loss)
  })

  it('refuses a run longer than the pool and leaks no tensors', async () => {
    const data = { cache, heldOutRows: 500, inputScale: 1 }
    await expect(runSweepPoint({ dSae: 8, steps: 100, lr: 1e-3 }, data, base)).rejects.toThrow(/need 6400 training rows; the pool has 2500/)
    await runSweepPoint({ dSae: 8, steps: 2, lr: 1e-3 }, data, base)
    const before = tf.memory().numTensors
    await runSweepPoint({ dSae: 8, steps: 3, lr: 1e-3 }, data, base)
    expect(tf.memory().numTensors).toBe(before)
    expect(() => splitCache(cache, rows)).toThrow(/held-out rows must be an integer in \[1, 2999\]/)
  })
})
