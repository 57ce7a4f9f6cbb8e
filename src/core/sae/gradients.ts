// Fused, hand-derived loss and gradients for one SAE training step, per architecture. tfjs autodiff runs these
// products through matMul's transpose flags, which tfjs-wasm runs ~40× slower; here every product is a plain
// matMul with explicit (small) transposes, column sums are ones-row matMuls (tfjs reduces non-last axes by
// transposing), and W_dec is held as W_decᵀ [dIn, dSae] so no [n, dSae] matrix is ever transposed.
//
// Shared forward:  xc = x − b_dec (if applyBDecToInput)   pre = xc·W_enc + b_enc   f = act(pre)
//                  x̂ = f·W_dec + b_dec   r = x̂ − x   MSE = Σ r² / n  (sum over d_in, mean over the batch)
// Shared backward: g = 2r/n   dW_decᵀ = gᵀ·f   dF = g·W_decᵀ (+ sparsity)   gPre = dF ⊙ act′
//                  dW_enc = xcᵀ·gPre   db_enc = Σₙ gPre   db_dec = Σₙ g − W_enc·db_enc
// Checked against tf autodiff in gradients.test.ts. These are the dense steps (dense*); sparseGradients.ts computes the
// same from the active latents alone, and the exported *LossAndGrads at the end pick one of the two per step.
import * as tf from '@tensorflow/tfjs'
import { atLeast, batchTopKMask, rowTopKMask } from './activation.ts'
import type { ParamName, TrainParams } from './trainParams.ts'
import { matMulBias } from './ops.ts'
import { sparseJumpRelu, sparseStandard, sparseTopK } from './sparseGradients.ts'
import { sparseAllowed, sparseFor } from './stepPath.ts'
import { pinnedPlan, type StepPlan } from './stepPlan.ts'

/** Per-step numbers, packed into one tensor so the trainer reads them with one sync. */
export const STAT_NAMES = ['loss', 'mse', 'sparsity', 'aux', 'sse', 'sst'] as const
export type StatName = (typeof STAT_NAMES)[number]

export interface LossAndGrads {
  grads: Partial<Record<ParamName, tf.Tensor>>
  /** [STAT_NAMES.length]: total loss, MSE, sparsity term, auxiliary loss, Σ‖x − x̂‖², Σ‖x − x̄‖². */
  stats: tf.Tensor1D
  /** How many inputs each latent fired on [dSae]. */
  fireCounts: tf.Tensor1D
  /** BatchTopK: the smallest selected (decoder-scaled) activation, +∞ when none; SAELens's threshold tracks it. */
  minSelected?: tf.Scalar
}

export interface StandardStepOptions {
  /** λ of λ Σᵢ fᵢ‖W_dec,i‖ (already scheduled). */
  l1: number
  applyBDecToInput: boolean
  /** The busiest row's count, measured before the step (stepPlan.ts); without it the step is dense. */
  plan?: StepPlan | null
  /** [dSae]: the share of λ each latent pays (penaltyShares: less for dense latents); absent: all of it. */
  penalized?: tf.Tensor1D | null
}

/** [dSae]: the first `dense` latents pay `share` of the sparsity penalty (0: none), the rest all of it. */
export function penaltyShares(dSae: number, dense: number, share = 0): tf.Tensor1D {
  return tf.concat([tf.fill([dense], share), tf.ones([dSae - dense])]) as tf.Tensor1D
}

/** v [dSae] weighted by each latent's share of the L1 term (v itself when all pay in full: same bits as before). */
export function penalizedOnly(v: tf.Tensor1D, penalized: tf.Tensor1D | null | undefined): tf.Tensor1D {
  return penalized ? (tf.mul(v, penalized) as tf.Tensor1D) : v
}

export interface TopKStepOptions {
  /** 'row': k per input (TopK); 'batch': k·n over the batch (BatchTopK). */
  mode: 'row' | 'batch'
  k: number
  applyBDecToInput: boolean
  /** 0/1 [dSae]: latents dead for AuxK; null or no dead latents: no auxiliary loss. */
  dead: tf.Tensor1D | null
  /** How many of them are dead (known to the caller, which keeps the counters). */
  deadCount: number
  kAux: number
  auxCoefficient: number
  /** BatchTopK: the busiest row's selected count, measured before the step (stepPlan.ts); without it the step is dense. */
  plan?: StepPlan | null
}

export interface JumpReluStepOptions {
  /** λ of λ·L0 (already scheduled). */
  l0: number
  /** ε of the rectangle kernel in the pseudo-derivatives (SAELens's jumprelu_bandwidth). */
  bandwidth: number
  applyBDecToInput: boolean
  /** The busiest row's count above θ − ε/2, measured before the step (stepPlan.ts); without it the step is dense. */
  plan?: StepPlan | null
}

/** Σ over rows of t [n, m] → [m], as ones[1, n]·t. */
export function colSum(ones: tf.Tensor2D, t: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(tf.matMul(ones, t), [t.shape[1]]) as tf.Tensor1D
}

export interface Forward {
  n: number
  ones: tf.Tensor2D // [1, n]
  xc: tf.Tensor2D // [n, dIn]
  wDec: tf.Tensor2D // [dSae, dIn]
}

export function prepare(p: TrainParams, x: tf.Tensor2D, applyBDec: boolean): Forward {
  const n = x.shape[0]
  return {
    n,
    ones: tf.ones([1, n]) as tf.Tensor2D,
    xc: applyBDec ? (tf.sub(x, p.b_dec) as tf.Tensor2D) : x, // [n, dIn]
    wDec: tf.transpose(p.W_dec_T) as tf.Tensor2D, // [dSae, dIn]: the one big transpose per step (dSae·dIn)
  }
}

/** ‖W_dec,i‖ [dSae]: column norms of W_decᵀ. */
export function decoderNorms(p: TrainParams): tf.Tensor1D {
  const dIn = p.W_dec_T.shape[0]
  return tf.sqrt(colSum(tf.ones([1, dIn]) as tf.Tensor2D, tf.square(p.W_dec_T) as tf.Tensor2D)) as tf.Tensor1D
}

/** Σ‖x − x̄‖² over the batch (the FVU denominator). */
export function totalVariance(x: tf.Tensor2D, ones: tf.Tensor2D, n: number): tf.Scalar {
  const mean = tf.div(tf.matMul(ones, x), n) // [1, dIn]
  return tf.sum(tf.square(tf.sub(x, mean))) as tf.Scalar
}

/**
 * aᵀ·b for a [n, m], b [n, dSae], and the column sums of b from the same product (a ones row appended to aᵀ):
 * tfjs-wasm repacks b for every product, so a separate ones·b costs nearly as much as the packing.
 */
function transposedProductAndColSum(a: tf.Tensor2D, b: tf.Tensor2D, ones: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D] {
  const m = a.shape[1]
  const cols = b.shape[1]
  const product = tf.matMul(tf.concat([tf.transpose(a), ones], 0) as tf.Tensor2D, b) // [m + 1, cols]
  return [tf.slice(product, [0, 0], [m, cols]) as tf.Tensor2D, tf.reshape(tf.slice(product, [m, 0], [1, cols]), [cols]) as tf.Tensor1D]
}

/** Encoder-side gradients from gPre [n, dSae] and the decoder-bias gradient. */
function encoderGrads(p: TrainParams, f: Forward, gPre: tf.Tensor2D, gOut: tf.Tensor2D, applyBDec: boolean) {
  const [dWEnc, dBEnc] = transposedProductAndColSum(f.xc, gPre, f.ones) // [dIn, dSae], [dSae]
  let dBDec = colSum(f.ones, gOut) // [dIn]
  if (applyBDec) dBDec = tf.sub(dBDec, tf.reshape(tf.matMul(p.W_enc, tf.reshape(dBEnc, [-1, 1])), [-1])) as tf.Tensor1D
  return { W_enc: dWEnc, b_enc: dBEnc, b_dec: dBDec }
}

export function packStats(mse: tf.Scalar, sparsity: tf.Scalar, aux: tf.Scalar, sse: tf.Scalar, sst: tf.Scalar): tf.Tensor1D {
  const loss = tf.addN([mse, sparsity, aux])
  return tf.stack([loss, mse, sparsity, aux, sse, sst]) as tf.Tensor1D
}

/**
 * Standard (Scaling Monosemanticity): f = ReLU(pre), loss = MSE + λ Σᵢ fᵢ‖W_dec,i‖ (mean over the batch).
 * Sparsity gradients: ∂/∂f = λ‖W_dec,i‖/n (a bias on dF), ∂/∂W_dec,i = λ (Σₙ fᵢ)/n · W_dec,i/‖W_dec,i‖.
 * Call inside tf.tidy.
 */
export function denseStandardLossAndGrads(p: TrainParams, x: tf.Tensor2D, o: StandardStepOptions): LossAndGrads {
  const fw = prepare(p, x, o.applyBDecToInput)
  return standardFromActs(p, x, o, fw, matMulBias(fw.xc, p.W_enc, p.b_enc, 'relu'))
}

function standardFromActs(p: TrainParams, x: tf.Tensor2D, o: StandardStepOptions, fw: Forward, f: tf.Tensor2D, activeMask?: tf.Tensor2D): LossAndGrads {
  const { n, ones } = fw
  const xHat = matMulBias(f, fw.wDec, p.b_dec) // [n, dIn]
  const r = tf.sub(xHat, x) as tf.Tensor2D // [n, dIn]
  const sse = tf.sum(tf.square(r)) as tf.Scalar
  const norms = decoderNorms(p) // [dSae]
  const weighed = penalizedOnly(norms, o.penalized) // [dSae]: the L1 term's weight per latent
  const gOut = tf.mul(r, 2 / n) as tf.Tensor2D // [n, dIn]
  const [dWDecTRecon, fSum] = transposedProductAndColSum(gOut, f, ones) // [dIn, dSae], [dSae]
  const sparsity = tf.mul(tf.sum(tf.mul(fSum, weighed)), o.l1 / n) as tf.Scalar
  const active = activeMask ?? (tf.step(f) as tf.Tensor2D) // [n, dSae] 1 where f > 0
  const dF = matMulBias(gOut, p.W_dec_T, tf.mul(weighed, o.l1 / n)) // [n, dSae]
  const gPre = tf.mul(dF, active) as tf.Tensor2D // [n, dSae]
  const l1Dec = tf.mul(penalizedOnly(tf.div(fSum, norms), o.penalized), o.l1 / n) // [dSae]
  const dWDecT = tf.add(dWDecTRecon, tf.mul(p.W_dec_T, l1Dec)) // [dIn, dSae]
  return {
    grads: { ...encoderGrads(p, fw, gPre, gOut, o.applyBDecToInput), W_dec_T: dWDecT },
    stats: packStats(tf.div(sse, n), sparsity, tf.scalar(0), sse, totalVariance(x, ones, n)),
    fireCounts: colSum(ones, active),
  }
}

/** 0/1 [n, dSae]: each row's top `kAux` dead latents by score, negatives included (EleutherAI's and SAELens's AuxK). */
export function auxMask(score: tf.Tensor2D, dead: tf.Tensor1D, kAux: number): tf.Tensor2D {
  const penalty = tf.mul(tf.sub(dead, 1), 1e30) // [dSae]: 0 for dead latents, −1e30 for live ones
  const auxScore = tf.add(score, penalty) as tf.Tensor2D // [n, dSae]
  const kth = tf.min(tf.topk(auxScore, kAux, false).values, 1, true) // [n, 1]
  return tf.mul(atLeast(auxScore, kth), dead) as tf.Tensor2D // [n, dSae]
}

/**
 * TopK / BatchTopK (OpenAI; SAELens's training form): latents are ranked by pre·‖W_dec,i‖ (SAELens's
 * rescale_acts_by_decoder_norm, so decoder norms cannot drift the choice) and f = pre on the chosen ones,
 * i.e. relu(pre·‖W_dec‖)/‖W_dec‖ as SAELens decodes, whose gradient through the norms is zero.
 * AuxK (OpenAI): the top kAux dead latents by score reconstruct the detached residual e = x − x̂,
 * aux = c·min(dead/kAux, 1)·Σ‖e − z·W_dec‖²/n with z = pre on those latents (no decoder bias, as OpenAI).
 * Call inside tf.tidy.
 */
export function denseTopkLossAndGrads(p: TrainParams, x: tf.Tensor2D, o: TopKStepOptions): LossAndGrads {
  const fw = prepare(p, x, o.applyBDecToInput)
  const pre = matMulBias(fw.xc, p.W_enc, p.b_enc) // [n, dSae]
  const norms = decoderNorms(p) // [dSae]
  const score = tf.mul(pre, norms) as tf.Tensor2D // [n, dSae]
  return topkFromScore(p, x, o, fw, pre, score, o.mode === 'row' ? { mask: rowTopKMask(score, o.k) } : batchTopKMask(score, o.k * fw.n))
}

function topkFromScore(
  p: TrainParams,
  x: tf.Tensor2D,
  o: TopKStepOptions,
  fw: Forward,
  pre: tf.Tensor2D,
  score: tf.Tensor2D,
  selected: { mask: tf.Tensor2D; minSelected?: tf.Scalar },
): LossAndGrads {
  const { n, ones } = fw
  const { mask, minSelected } = selected
  const f = tf.mul(pre, mask) as tf.Tensor2D // [n, dSae]
  const xHat = matMulBias(f, fw.wDec, p.b_dec) // [n, dIn]
  const r = tf.sub(xHat, x) as tf.Tensor2D // [n, dIn]
  const sse = tf.sum(tf.square(r)) as tf.Scalar
  const gOut = tf.mul(r, 2 / n) as tf.Tensor2D // [n, dIn]
  let gPre = tf.mul(tf.matMul(gOut, p.W_dec_T), mask) as tf.Tensor2D // [n, dSae]
  let dWDecT = tf.matMul(tf.transpose(gOut), f) // [dIn, dSae]

  let aux: tf.Scalar = tf.scalar(0)
  const kAux = Math.min(o.kAux, o.deadCount)
  if (o.dead && kAux > 0 && o.auxCoefficient > 0) {
    const zMask = auxMask(score, o.dead, kAux) // [n, dSae]
    const z = tf.mul(pre, zMask) as tf.Tensor2D // [n, dSae]
    const rAux = tf.add(tf.matMul(z, fw.wDec), r) as tf.Tensor2D // [n, dIn]: ê − e with e = −r
    const c = o.auxCoefficient * Math.min(o.deadCount / o.kAux, 1)
    aux = tf.mul(tf.sum(tf.square(rAux)), c / n) as tf.Scalar
    const gAux = tf.mul(rAux, (2 * c) / n) as tf.Tensor2D // [n, dIn]
    gPre = tf.add(gPre, tf.mul(tf.matMul(gAux, p.W_dec_T), zMask)) as tf.Tensor2D
    dWDecT = tf.add(dWDecT, tf.matMul(tf.transpose(gAux), z))
  }
  return {
    grads: { ...encoderGrads(p, fw, gPre, gOut, o.applyBDecToInput), W_dec_T: dWDecT },
    stats: packStats(tf.div(sse, n), tf.scalar(0), aux, sse, totalVariance(x, ones, n)),
    fireCounts: colSum(ones, mask),
    ...(minSelected ? { minSelected } : {}),
  }
}

/**
 * JumpReLU (Gemma Scope; SAELens's "step" L0 mode): f = pre·H(pre − θ), θ = exp(log_threshold),
 * loss = MSE + λ Σᵢ H(preᵢ − θᵢ) / n. Straight-through pseudo-derivatives with the rectangle kernel
 * K(u) = 1[|u| < ½]: ∂f/∂θ = −(θ/ε)K((pre − θ)/ε), ∂H/∂θ = −(1/ε)K(…), no gradient from H into pre.
 * Call inside tf.tidy.
 */
export function denseJumpReluLossAndGrads(p: TrainParams, x: tf.Tensor2D, o: JumpReluStepOptions): LossAndGrads {
  if (!p.log_threshold) throw new Error('jumpReluLossAndGrads: log_threshold is missing')
  const fw = prepare(p, x, o.applyBDecToInput)
  const pre = matMulBias(fw.xc, p.W_enc, p.b_enc) // [n, dSae]
  const theta = tf.exp(p.log_threshold) as tf.Tensor1D // [dSae]
  return jumpReluFromPre(p, x, o, fw, pre, theta, tf.sub(pre, theta) as tf.Tensor2D)
}

function jumpReluFromPre(p: TrainParams, x: tf.Tensor2D, o: JumpReluStepOptions, fw: Forward, pre: tf.Tensor2D, theta: tf.Tensor1D, diff: tf.Tensor2D): LossAndGrads {
  const { n, ones } = fw
  const eps = o.bandwidth
  const active = tf.step(diff) as tf.Tensor2D // [n, dSae] 1 where pre > θ
  const f = tf.mul(pre, active) as tf.Tensor2D // [n, dSae]
  const xHat = matMulBias(f, fw.wDec, p.b_dec) // [n, dIn]
  const r = tf.sub(xHat, x) as tf.Tensor2D // [n, dIn]
  const sse = tf.sum(tf.square(r)) as tf.Scalar
  const fireCounts = colSum(ones, active) // [dSae]
  const sparsity = tf.mul(tf.sum(fireCounts), o.l0 / n) as tf.Scalar
  const gOut = tf.mul(r, 2 / n) as tf.Tensor2D // [n, dIn]
  const dF = tf.matMul(gOut, p.W_dec_T) as tf.Tensor2D // [n, dSae]
  const gPre = tf.mul(dF, active) as tf.Tensor2D // [n, dSae]
  const rect = tf.step(tf.sub(eps / 2, tf.abs(diff))) as tf.Tensor2D // [n, dSae] 1 where |pre − θ| < ε/2
  const dThetaRecon = tf.mul(colSum(ones, tf.mul(rect, dF) as tf.Tensor2D), tf.div(theta, -eps)) // [dSae]
  const dThetaL0 = tf.mul(colSum(ones, rect), -o.l0 / (n * eps)) // [dSae]
  const dLogTheta = tf.mul(tf.add(dThetaRecon, dThetaL0), theta) // [dSae]: θ = exp(log θ)
  return {
    grads: {
      ...encoderGrads(p, fw, gPre, gOut, o.applyBDecToInput),
      W_dec_T: tf.matMul(tf.transpose(gOut), f),
      log_threshold: dLogTheta,
    },
    stats: packStats(tf.div(sse, n), sparsity, tf.scalar(0), sse, totalVariance(x, ones, n)),
    fireCounts,
  }
}

// The steps the trainer runs: sparse where the math is sparse (sparseGradients.ts), else the dense ones above, chosen
// per step by stepPath.ts. Standard, BatchTopK and JumpReLU size their slots from a StepPlan (stepPlan.ts) that the
// trainer measures asynchronously before the step; without one they run dense (unless a test pins the sparse path).
// Both paths give the same numbers within float rounding (sparseGradients.test.ts). Call inside tf.tidy.

/** Standard: ReLU's active set is data-dependent (about half of d_sae at initialisation), so the choice is per step. */
export function standardLossAndGrads(p: TrainParams, x: tf.Tensor2D, o: StandardStepOptions): LossAndGrads {
  const plan = o.plan ?? pinnedPlan(p, x, { architecture: 'standard', k: 0, jumpReluBandwidth: 0, applyBDecToInput: o.applyBDecToInput })
  if (!plan) return denseStandardLossAndGrads(p, x, o)
  const fw = prepare(p, x, o.applyBDecToInput)
  const f = tf.relu(plan.pre) as tf.Tensor2D // [n, dSae]
  if (sparseFor(plan.slots, fw.n, x.shape[1], f.shape[1])) return sparseStandard(p, x, o, fw, f, plan.slots)
  return standardFromActs(p, x, o, fw, f)
}

/**
 * TopK: k slots a row (plus kAux for AuxK), known before the step, so it needs no plan (it takes one for the encoder
 * forward an EncoderEngine computed); BatchTopK: the busiest row's selected count.
 */
export function topkLossAndGrads(p: TrainParams, x: tf.Tensor2D, o: TopKStepOptions): LossAndGrads {
  if (!sparseAllowed()) return denseTopkLossAndGrads(p, x, o)
  const [n, dIn] = x.shape
  const dSae = p.W_enc.shape[1]
  const kAux = o.dead && o.auxCoefficient > 0 ? Math.min(o.kAux, o.deadCount) : 0
  if (o.mode === 'row') {
    const sparse = sparseFor(o.k + kAux, n, dIn, dSae)
    if (!sparse && !o.plan) return denseTopkLossAndGrads(p, x, o)
    const fw = prepare(p, x, o.applyBDecToInput)
    const pre = o.plan?.pre ?? matMulBias(fw.xc, p.W_enc, p.b_enc) // [n, dSae]: an EncoderEngine's when planned
    let score: tf.Tensor2D | null = null // [n, dSae], made once and only when used
    const scoreOf = () => (score ??= tf.mul(pre, decoderNorms(p)) as tf.Tensor2D)
    return sparse ? sparseTopK(p, x, o, fw, pre, scoreOf, null, o.plan?.selected ?? null) : topkFromScore(p, x, o, fw, pre, scoreOf(), { mask: rowTopKMask(scoreOf(), o.k) })
  }
  const plan = o.plan ?? pinnedPlan(p, x, { architecture: 'batchtopk', k: o.k, jumpReluBandwidth: 0, applyBDecToInput: o.applyBDecToInput })
  if (!plan) return denseTopkLossAndGrads(p, x, o)
  const fw = prepare(p, x, o.applyBDecToInput)
  const score = tf.mul(plan.pre, decoderNorms(p)) as tf.Tensor2D // [n, dSae]
  const selected = batchTopKMask(score, o.k * n)
  if (sparseFor(plan.slots + kAux, n, dIn, dSae)) return sparseTopK(p, x, o, fw, plan.pre, () => score, { ...selected, slots: plan.slots })
  return topkFromScore(p, x, o, fw, plan.pre, score, selected)
}

/** JumpReLU: the slots hold every latent above θ − ε/2 (the active ones and the band the θ gradient needs). */
export function jumpReluLossAndGrads(p: TrainParams, x: tf.Tensor2D, o: JumpReluStepOptions): LossAndGrads {
  if (!p.log_threshold) throw new Error('jumpReluLossAndGrads: log_threshold is missing')
  const plan = o.plan ?? pinnedPlan(p, x, { architecture: 'jumprelu', k: 0, jumpReluBandwidth: o.bandwidth, applyBDecToInput: o.applyBDecToInput })
  if (!plan) return denseJumpReluLossAndGrads(p, x, o)
  const fw = prepare(p, x, o.applyBDecToInput)
  const theta = tf.exp(p.log_threshold) as tf.Tensor1D // [dSae]
  if (sparseFor(plan.slots, fw.n, x.shape[1], plan.pre.shape[1])) return sparseJumpRelu(p, x, o, fw, plan.pre, theta, plan.slots)
  return jumpReluFromPre(p, x, o, fw, plan.pre, theta, tf.sub(plan.pre, theta) as tf.Tensor2D)
}
