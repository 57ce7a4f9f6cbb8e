// Synthetic data with a known sparse dictionary: inputs are sparse non-negative combinations of random unit
// directions, so a trained SAE's decoder can be scored against the truth. Seeded; used by tests and benchmarks.
import * as tf from '@tensorflow/tfjs'
import { createRng } from '../../generate/rng.ts'

export interface SparseDictionary {
  dIn: number
  nFeatures: number
  /** Unit rows [nFeatures, dIn]. */
  directions: Float32Array
}

export function randomDictionary(dIn: number, nFeatures: number, seed: number): SparseDictionary {
  const rng = createRng(seed)
  const directions = new Float32Array(nFeatures * dIn)
  for (let i = 0; i < nFeatures; i++) {
    let sum = 0
    for (let j = 0; j < dIn; j++) {
      const v = rng.nextNormal()
      directions[i * dIn + j] = v
      sum += v * v
    }
    const inv = 1 / Math.sqrt(sum)
    for (let j = 0; j < dIn; j++) directions[i * dIn + j]! *= inv
  }
  return { dIn, nFeatures, directions }
}

/**
 * Batches [batch, dIn]: each feature is on independently with probability `pActive`, with a magnitude uniform in
 * [0.5, 1.5) (bounded away from 0 so "on" is unambiguous).
 */
export function sparseBatches(dict: SparseDictionary, batch: number, pActive: number, seed: number): () => tf.Tensor2D {
  const rng = createRng(seed)
  const { dIn, nFeatures, directions } = dict
  return () => {
    const data = new Float32Array(batch * dIn)
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < nFeatures; i++) {
        if (rng.next() >= pActive) continue
        const a = 0.5 + rng.next()
        for (let j = 0; j < dIn; j++) data[b * dIn + j]! += a * directions[i * dIn + j]!
      }
    }
    return tf.tensor2d(data, [batch, dIn])
  }
}

/** For each true feature, the best cosine similarity with any row of wDec [dSae, dIn]. */
export function bestCosines(dict: SparseDictionary, wDec: Float32Array, dSae: number): Float64Array {
  const { dIn, nFeatures, directions } = dict
  const norms = new Float64Array(dSae)
  for (let i = 0; i < dSae; i++) {
    let s = 0
    for (let j = 0; j < dIn; j++) s += wDec[i * dIn + j]! ** 2
    norms[i] = Math.sqrt(s) || 1
  }
  const best = new Float64Array(nFeatures).fill(-1)
  for (let f = 0; f < nFeatures; f++) {
    for (let i = 0; i < dSae; i++) {
      let dot = 0
      for (let j = 0; j < dIn; j++) dot += directions[f * dIn + j]! * wDec[i * dIn + j]!
      best[f] = Math.max(best[f]!, dot / norms[i]!)
    }
  }
  return best
}
