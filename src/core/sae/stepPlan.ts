// The measurement a sparse step needs before it starts when its active set is data-dependent (standard, BatchTopK,
// JumpReLU): the busiest row's active count, which sizes the slots. The trainer reads it asynchronously before the
// step (it never reads a tensor synchronously: trainingRunReads.test.ts), and the step reuses the pre-activations
// computed to count, so the encoder forward still runs once. With an EncoderEngine (encoderEngine.ts) that forward runs
// outside tfjs, and TopK gets a plan too (its slots are k), so every per-row architecture's step starts from it.
import * as tf from '@tensorflow/tfjs'
import { batchTopKMask } from './activation.ts'
import type { EncoderEngine, EncoderSelect } from './encoderEngine.ts'
import { matMulBias } from './ops.ts'
import { sparseAllowed, stepPath } from './stepPath.ts'
import type { SaeTrainerConfig } from './trainerConfig.ts'
import type { TrainParams } from './trainParams.ts'

export interface StepPlan {
  /** xc·W_enc + b_enc [n, dSae] for this batch; whoever made the plan disposes it. */
  pre: tf.Tensor2D
  /** Active latents in the busiest row (at least 1); TopK's k. */
  slots: number
  /** TopK's slots when an EncoderEngine chose them (else the step chooses from pre). */
  selected?: PlannedSlots
}

/** [n, k] each, in the same order within a row. */
export interface PlannedSlots {
  cols: tf.Tensor2D // int32 latent indices
  scores: tf.Tensor2D // pre·‖W_dec,i‖ there
  pres: tf.Tensor2D // pre there
}

/** Disposes what a plan holds (null: nothing). */
export function disposePlan(plan: StepPlan | null): void {
  if (!plan) return
  tf.dispose([plan.pre, ...(plan.selected ? [plan.selected.cols, plan.selected.scores, plan.selected.pres] : [])])
}

export type PlanSettings = Pick<SaeTrainerConfig, 'architecture' | 'k' | 'jumpReluBandwidth' | 'applyBDecToInput'>

/** Whether the step's slots depend on the data (counted from pre), as opposed to TopK's k or no plan at all. */
function counted(s: PlanSettings): boolean {
  return s.architecture === 'standard' || s.architecture === 'batchtopk' || s.architecture === 'jumprelu'
}

/** pre [n, dSae] and the busiest row's count [] (a tensor), or null for TopK, whose slots are k. */
function countActive(p: TrainParams, x: tf.Tensor2D, s: PlanSettings): { pre: tf.Tensor2D; count: tf.Scalar } | null {
  if (!counted(s)) return null
  return tf.tidy(() => {
    const xc = s.applyBDecToInput ? (tf.sub(x, p.b_dec) as tf.Tensor2D) : x // [n, dIn]
    const pre = matMulBias(xc, p.W_enc, p.b_enc) // [n, dSae]
    return { pre, count: busiestRow(pre, p, x.shape[0], s) }
  }) as { pre: tf.Tensor2D; count: tf.Scalar }
}

/**
 * ‖W_dec,i‖ [dSae], as gradients.ts's decoderNorms computes them (that file imports this one, so the two lines are
 * not shared). Call inside tf.tidy.
 */
function decoderNormsOf(p: TrainParams): tf.Tensor1D {
  return tf.sqrt(tf.reshape(tf.matMul(tf.ones([1, p.W_dec_T.shape[0]]), tf.square(p.W_dec_T)), [-1])) as tf.Tensor1D
}

/** The busiest row's active count [] as each step's dense form selects. Call inside tf.tidy. */
function busiestRow(pre: tf.Tensor2D, p: TrainParams, n: number, s: PlanSettings): tf.Scalar {
  let active: tf.Tensor2D // [n, dSae] 0/1
  if (s.architecture === 'standard') active = tf.step(pre) as tf.Tensor2D
  else if (s.architecture === 'jumprelu') active = tf.step(tf.add(tf.sub(pre, tf.exp(p.log_threshold!)), s.jumpReluBandwidth / 2)) as tf.Tensor2D
  else {
    active = batchTopKMask(tf.mul(pre, decoderNormsOf(p)) as tf.Tensor2D, s.k * n).mask
  }
  return tf.max(tf.sum(active, 1)) as tf.Scalar
}

/** The encoder's selection for this architecture: TopK's slots come from the engine; the others count in tfjs. */
async function selection(p: TrainParams, s: PlanSettings): Promise<EncoderSelect | undefined> {
  if (s.architecture !== 'topk') return undefined
  const norms = tf.tidy(() => decoderNormsOf(p))
  try {
    return { kind: 'topk', k: s.k, norms: (await norms.data()) as Float32Array }
  } finally {
    norms.dispose()
  }
}

/** The plan with pre (and TopK's slots) from `encoder`; null for architectures whose steps take none. */
async function encodedPlan(encoder: EncoderEngine, p: TrainParams, x: tf.Tensor2D, s: PlanSettings): Promise<StepPlan | null> {
  if (!counted(s) && s.architecture !== 'topk') return null
  const [n, dIn] = x.shape
  const dSae = p.W_enc.shape[1]
  const xc = s.applyBDecToInput ? (tf.sub(x, p.b_dec) as tf.Tensor2D) : x // [n, dIn]
  let arrays: Float32Array[]
  try {
    arrays = (await Promise.all([xc.data(), p.W_enc.data(), p.b_enc.data()])) as Float32Array[]
  } finally {
    if (xc !== x) xc.dispose()
  }
  const out = await encoder.encode(arrays[0]!, arrays[1]!, arrays[2]!, n, dIn, dSae, await selection(p, s))
  const pre = tf.tensor2d(out.pre, [n, dSae])
  const chosen = out.selected
  if (chosen) {
    const shape: [number, number] = [n, chosen.width]
    return { pre, slots: chosen.width, selected: { cols: tf.tensor2d(chosen.slots, shape, 'int32'), scores: tf.tensor2d(chosen.scores, shape), pres: tf.tensor2d(chosen.pres, shape) } }
  }
  const count = tf.tidy(() => busiestRow(pre, p, n, s))
  try {
    return { pre, slots: Math.max(1, Math.round((await count.data())[0]!)) }
  } catch (err) {
    pre.dispose()
    throw err
  } finally {
    count.dispose()
  }
}

/**
 * The plan for a step on `x` (already input-scaled), read asynchronously; null where the step needs none or goes
 * dense. With `encoder`, pre comes from it (and TopK gets a plan).
 */
export async function planStep(p: TrainParams, x: tf.Tensor2D, s: PlanSettings, encoder: EncoderEngine | null = null): Promise<StepPlan | null> {
  if (!sparseAllowed()) return null
  if (encoder) return encodedPlan(encoder, p, x, s)
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
