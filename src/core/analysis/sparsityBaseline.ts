// What features-vs-neurons means by chance: random directions in the SAE's input space, each thresholded to fire
// on exactly as many tokens as its SAE feature, correlated with the neurons the same way.
//
// Why this baseline: "≤ 0.3 for most features" could come from sparsity alone, since a feature that fires on
// 1 token in 1,000 can hardly correlate strongly with a dense neuron. Random directions share the SAE's input
// space (so they are linear readouts of the same residual stream the neurons feed) and, matched feature by
// feature in firing count, the same sparsity; what they lack is having been learnt. A random SAE with only the
// same L0 would match the average sparsity but not each feature's, and rare features drive the statistic.
import * as tf from '@tensorflow/tfjs'
import { createRng } from '../generate/rng.ts'
import { InvalidArgumentError } from '../errors.ts'
import { FeatureNeuronCorrelation, type NeuronLayout } from './featureNeurons.ts'
import type { NeuronBatch } from './neuronActivations.ts'

/** Row-major [rows, dOut] values of encode(x) for each batch; encode gets x [rows, dIn] and returns [rows, dOut]. */
async function encodeRows(batch: NeuronBatch, dIn: number, encode: (x: tf.Tensor2D) => tf.Tensor): Promise<Float32Array> {
  const out = tf.tidy(() => encode(tf.tensor2d(batch.x, [batch.rows, dIn])))
  try {
    return (await out.data()) as Float32Array
  } finally {
    out.dispose()
  }
}

/** Streams every batch through `encode` and the correlation accumulator. */
export async function correlateEncoded(
  batches: readonly NeuronBatch[],
  layout: NeuronLayout,
  dIn: number,
  dOut: number,
  encode: (x: tf.Tensor2D) => tf.Tensor,
  onBatch?: (done: number) => void,
): Promise<FeatureNeuronCorrelation> {
  const acc = new FeatureNeuronCorrelation(dOut, layout)
  for (const [k, batch] of batches.entries()) {
    acc.add(await encodeRows(batch, dIn, encode), batch.neurons, batch.rows)
    onBatch?.(k + 1)
  }
  return acc
}

/** Unit random directions [dIn, dOut] from a seed: the same on every backend. */
export function randomDirections(dIn: number, dOut: number, seed: number): Float32Array {
  const rng = createRng(seed)
  const d = new Float32Array(dIn * dOut)
  for (let i = 0; i < d.length; i++) d[i] = rng.nextNormal()
  for (let j = 0; j < dOut; j++) {
    let norm = 0
    for (let i = 0; i < dIn; i++) norm += d[i * dOut + j]! ** 2
    norm = Math.sqrt(norm)
    for (let i = 0; i < dIn; i++) d[i * dOut + j]! /= norm
  }
  return d
}

/**
 * Per direction j, the threshold that lets exactly fires[j] of the projections x·d_j exceed it: the (fires[j]+1)-th
 * largest, found with one bounded min-heap per direction. A direction with fires 0 gets +∞ (it never fires, as its
 * feature never did).
 */
export async function matchedThresholds(batches: readonly NeuronBatch[], dIn: number, directions: tf.Tensor2D, fires: Float64Array): Promise<Float64Array> {
  const dOut = fires.length
  const caps = Array.from(fires, (f) => f + 1)
  const heaps = caps.map((c) => new Float64Array(c))
  const sizes = new Int32Array(dOut)
  for (const batch of batches) {
    const proj = await encodeRows(batch, dIn, (x) => tf.matMul(x, directions)) // [rows, dOut]
    for (let t = 0; t < batch.rows; t++) {
      for (let j = 0; j < dOut; j++) {
        if (fires[j] === 0) continue
        const v = proj[t * dOut + j]!
        const heap = heaps[j]!
        if (sizes[j]! < caps[j]!) heapPush(heap, sizes[j]!++, v)
        else if (v > heap[0]!) heapReplaceTop(heap, sizes[j]!, v)
      }
    }
  }
  // A direction whose feature fired on every token fires on every token too: just below its smallest projection.
  return Float64Array.from(fires, (f, j) => (f === 0 ? Infinity : sizes[j]! < caps[j]! ? heaps[j]![0]! - 1 : heaps[j]![0]!))
}

function heapPush(h: Float64Array, size: number, v: number): void {
  let i = size
  h[i] = v
  while (i > 0) {
    const p = (i - 1) >> 1
    if (h[p]! <= h[i]!) break
    ;[h[p], h[i]] = [h[i]!, h[p]!]
    i = p
  }
}

function heapReplaceTop(h: Float64Array, size: number, v: number): void {
  h[0] = v
  let i = 0
  for (;;) {
    const l = 2 * i + 1
    const r = l + 1
    let m = i
    if (l < size && h[l]! < h[m]!) m = l
    if (r < size && h[r]! < h[m]!) m = r
    if (m === i) return
    ;[h[m], h[i]] = [h[i]!, h[m]!]
    i = m
  }
}

/** The baseline's correlations: ReLU(x·d_j − t_j) with seeded directions and thresholds matched to `fires`. */
export async function sparsityMatchedBaseline(
  batches: readonly NeuronBatch[],
  layout: NeuronLayout,
  dIn: number,
  fires: Float64Array,
  seed: number,
  onBatch?: (done: number) => void,
): Promise<FeatureNeuronCorrelation> {
  if (fires.length < 1) throw new InvalidArgumentError('The baseline needs at least one feature')
  const directions = tf.tensor2d(randomDirections(dIn, fires.length, seed), [dIn, fires.length])
  try {
    const thresholds = await matchedThresholds(batches, dIn, directions, fires)
    // +∞ for a never-firing direction would make ∞ − ∞ = NaN on a projection of +∞; float32's max keeps it finite.
    const t = tf.tensor1d(Float32Array.from(thresholds, (v) => Math.max(-3.4e38, Math.min(3.4e38, v))))
    try {
      return await correlateEncoded(batches, layout, dIn, fires.length, (x) => tf.relu(tf.sub(tf.matMul(x, directions), t)), onBatch)
    } finally {
      t.dispose()
    }
  } finally {
    directions.dispose()
  }
}
