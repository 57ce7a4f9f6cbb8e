// The tensor work of steering one activation: clamp features through the SAE with the error term kept, then add
// unit decoder directions. Pure: no positions, no hooks (interventions.ts decides where this runs).
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import { denormalizeRows, normalizeRows } from '../sae/normalization.ts'
import type { Sae } from '../sae/sae.ts'

/** Interventions as plain arrays, ready to become tensors inside any tidy (so nothing needs disposing). */
export interface CompiledSteering {
  readonly dIn: number
  readonly dSae: number
  /** 0 at clamped latents, 1 elsewhere; null when nothing is clamped (then the SAE is not run at all). */
  readonly clampKeep: Float32Array | null // [dSae]
  /** The SAE's own latent value fⱼ that gives activation c (c / ‖effective decoder direction‖), 0 elsewhere. */
  readonly clampValues: Float32Array | null // [dSae]
  /** Σ c·d̂ⱼ over the additive interventions; null when there are none. */
  readonly addition: Float32Array | null // [dIn]
}

/**
 * x [..., dIn] → steered x [..., dIn]. Clamping: x' = SAE_clamped(x) + error(x), error(x) = x − SAE(x) from the
 * original x, every clamp in one SAE pass (so latents are set jointly, as the paper does); then x' += Σ c·d̂ⱼ.
 * For SAEs that normalise inputs at run time, clamped values live in normalised units, additions in the hook's.
 */
export function steerActivation(sae: Sae, steering: CompiledSteering, x: tf.Tensor): tf.Tensor {
  if (x.shape[x.rank - 1] !== steering.dIn) {
    throw new InvalidArgumentError(`Steering expects activations [..., ${steering.dIn}], got [${x.shape.join(', ')}]`)
  }
  return tf.tidy(() => {
    let out: tf.Tensor = x
    if (steering.clampKeep && steering.clampValues) {
      const rows = tf.reshape(x, [-1, steering.dIn]) as tf.Tensor2D // [n, dIn]
      const scale = normalizeRows(sae.config.normalizeActivations, rows) // undoes the SAE's run-time normalisation
      const f = sae.encode(rows) // [n, dSae]
      const recon = denormalizeRows(sae.decode(f) as tf.Tensor2D, scale) // [n, dIn]
      const error = tf.sub(rows, recon) // [n, dIn], kept unchanged
      const clamped = tf.add(tf.mul(f, tf.tensor1d(steering.clampKeep)), tf.tensor1d(steering.clampValues)) // [n, dSae]
      const reconClamped = denormalizeRows(sae.decode(clamped) as tf.Tensor2D, scale) // [n, dIn]
      out = tf.reshape(tf.add(reconClamped, error), x.shape) // [..., dIn]
    }
    if (steering.addition) out = tf.add(out, tf.tensor1d(steering.addition)) // [..., dIn]
    return out === x ? tf.clone(x) : out
  })
}
