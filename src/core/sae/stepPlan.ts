// The measurement a sparse step needs before it starts when its active set is data-dependent (standard, BatchTopK,
// JumpReLU): the busiest row's active count, which sizes the slots. The trainer reads it asynchronously before the
// step (it never reads a tensor synchronously: trainingRunReads.test.ts), and the step reuses the pre-activations
// computed to count, so the encoder forward still runs once.
import * as tf from '@tensorflow/tfjs'
import { batchTopKMask } from './activation.ts'
import { matMulBias } from './ops.ts'
import { sparseAllowed, stepPath } from './stepPath.ts'
import type { SaeTrainerConfig } from './trainerConfig.ts'
import type { TrainParams } from './trainParams.ts'

export interface StepPlan {
  /** xc·W_enc + b_enc [n, dSae] for this batch; whoever made the plan disposes it. */
  pre: tf.Tensor2D
  /** Active latents in the busiest row (at least 1). */
  slots: number
}

export type PlanSettings = Pick<SaeTrainerConfig, 'architecture' | 'k' | 'jumpReluBandwidth' | 'applyBDecToInput'>

/** pre [n, dSae] and the busiest row's count [] (a tensor), or null for TopK, whose slots are k. */
function countActive(p: TrainParams, x: tf.Tensor2D, s: PlanSettings): { pre: tf.Tensor2D; count: tf.Scalar } | null {
  if (s.architecture !== 'standard' && s.architecture !== 'batchtopk' && s.architecture !== 'jumprelu') return null
  return tf.tidy(() => {
    const xc = s.applyBDecToInput ? (tf.sub(x, p.b_dec) as tf.Tensor2D) : x // [n, dIn]
    const pre = matMulBias(xc, p.W_enc, p.b_enc) // [n, dSae]
    let active: tf.Tensor2D // [n, dSae] 0/1, as each step's dense form selects
    if (s.architecture === 'standard') active = tf.step(pre) as tf.Tensor2D
    else if (s.architecture === 'jumprelu') active = tf.step(tf.add(tf.sub(pre, tf.exp(p.log_threshold!)), s.jumpReluBandwidth / 2)) as tf.Tensor2D
    else {
      const norms = tf.sqrt(tf.matMul(tf.ones([1, p.W_dec_T.shape[0]]), tf.square(p.W_dec_T))) // [1, dSae]
      active = batchTopKMask(tf.mul(pre, norms) as tf.Tensor2D, s.k * x.shape[0]).mask
    }
    return { pre, count: tf.max(tf.sum(active, 1)) as tf.Scalar }
  }) as { pre: tf.Tensor2D; count: tf.Scalar }
}

/** The plan for a step on `x` (already input-scaled), read asynchronously; null where the step needs none or goes dense. */
export async function planStep(p: TrainParams, x: tf.Tensor2D, s: PlanSettings): Promise<StepPlan | null> {
  if (!sparseAllowed()) return null
  const counted = countActive(p, x, s)
  if (!counted) return null
  try {
    return { pre: counted.pre, slots: Math.max(1, Math.round((await counted.count.data())[0]!)) }
  } catch (err) {
    counted.pre.dispose()
    throw err
  } finally {
    counted.count.dispose()
  }
}

/**
 * For callers that pin the sparse path and call a step function directly (tests): the plan made on the spot, with a
 * synchronous read. Null unless pinned sparse; the trainer always plans with planStep. Call inside tf.tidy.
 */
export function pinnedPlan(p: TrainParams, x: tf.Tensor2D, s: PlanSettings): StepPlan | null {
  if (stepPath() !== 'sparse') return null
  const counted = countActive(p, x, s)
  if (!counted) return null
  return { pre: counted.pre, slots: Math.max(1, Math.round(counted.count.dataSync()[0]!)) }
}
