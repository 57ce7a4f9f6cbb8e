// Input normalisation: SAELens's run-time modes (constant_norm_rescale, layer_norm) applied on the way in and
// undone on the way out, and the training-time constant that scales activations so that E‖x‖₂ = √d_in.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import type { NormalizeActivations } from './types.ts'

/** Normalised rows and what undoes it: y·scale + shift ([n, 1] each, or null for identity). */
export interface NormalizedRows {
  x: tf.Tensor2D // [n, dIn]
  scale: tf.Tensor2D | null // [n, 1]
  shift: tf.Tensor2D | null // [n, 1]
}

// SAELens's layer_norm mode divides by (std + 1e-5) on the way in and multiplies by std alone on the way out.
const LAYER_NORM_EPS = 1e-5

/** Call inside tf.tidy. `mode` must be a run-time mode ('expected_average_only_in' is folded when loading). */
export function normalizeRows(mode: NormalizeActivations, x: tf.Tensor2D): NormalizedRows {
  const dIn = x.shape[1]
  switch (mode) {
    case 'none':
      return { x, scale: null, shift: null }
    case 'constant_norm_rescale': {
      const norm = tf.sqrt(tf.sum(tf.square(x), 1, true)) as tf.Tensor2D // [n, 1]
      return { x: tf.mul(x, tf.div(Math.sqrt(dIn), norm)) as tf.Tensor2D, scale: tf.div(norm, Math.sqrt(dIn)) as tf.Tensor2D, shift: null }
    }
    case 'layer_norm': {
      const mu = tf.mean(x, 1, true) as tf.Tensor2D // [n, 1]
      const centred = tf.sub(x, mu) // [n, dIn]
      const std = tf.sqrt(tf.div(tf.sum(tf.square(centred), 1, true), Math.max(1, dIn - 1))) as tf.Tensor2D // [n, 1], unbiased as torch.std
      return { x: tf.div(centred, tf.add(std, LAYER_NORM_EPS)) as tf.Tensor2D, scale: std, shift: mu }
    }
    case 'expected_average_only_in':
      throw new InvalidArgumentError('expected_average_only_in needs its scaling constant folded into the weights first')
  }
}

/** y [n, dIn] back in the input's scale. Call inside tf.tidy. */
export function denormalizeRows(y: tf.Tensor2D, n: Pick<NormalizedRows, 'scale' | 'shift'>): tf.Tensor2D {
  let out = y
  if (n.scale) out = tf.mul(out, n.scale) as tf.Tensor2D
  if (n.shift) out = tf.add(out, n.shift) as tf.Tensor2D
  return out
}

/** Σ‖xᵣ‖₂ over the rows of x [n, dIn], for estimating the training scale over many batches. */
export async function sumOfRowNorms(x: tf.Tensor2D): Promise<number> {
  const total = tf.tidy(() => tf.sum(tf.sqrt(tf.sum(tf.square(x), 1))))
  try {
    return (await total.data())[0]!
  } finally {
    total.dispose()
  }
}

/**
 * The constant s with E‖s·x‖₂ = √d_in (Anthropic's normalisation; SAELens's expected_average_only_in), from the
 * mean row norm of a sample. Training runs on s·x; the constant is folded into the weights on save.
 */
export function inputScaleFromMeanNorm(meanNorm: number, dIn: number): number {
  if (!(meanNorm > 0) || !Number.isFinite(meanNorm)) throw new InvalidArgumentError(`The mean activation norm must be positive and finite, got ${meanNorm}`)
  return Math.sqrt(dIn) / meanNorm
}
