// Fused, hand-derived loss and gradients for a Matryoshka BatchTopK step (Bussmann et al. 2025; Nabeshima 2024),
// in the form SAELens trains it: one BatchTopK selection over the whole dictionary, then every nested prefix of
// widths w₁ < … < w_L = d_sae reconstructs x on its own, decoder bias included, and the prefix MSEs are summed
// (not averaged). AuxK is BatchTopK's, on the full reconstruction. Written like gradients.ts (see its header for
// why: no autodiff, no transpose flags, W_dec held as W_decᵀ); checked against tf autodiff in matryoshkaGradients.test.ts.
//
// Forward:  pre = xc·W_enc + b_enc   f = pre ⊙ mask (BatchTopK on pre·‖W_dec,i‖, as BatchTopK)
//           latent block b = [w_{b−1}, w_b)   P_b = f_b·W_dec,b   x̂_l = b_dec + Σ_{b≤l} P_b   r_l = x̂_l − x
//           loss = Σ_l Σ r_l² / n + AuxK
// Backward: g_l = 2r_l/n; latent i of block b appears in every level l ≥ b, so with the suffix sums
//           G_b = Σ_{l≥b} g_l:   dF_b = G_b·W_decᵀ_b   dW_decᵀ_b = G_bᵀ·f_b   db_dec(out) = Σₙ G_1
// The blocks partition the dictionary, so a step costs what a BatchTopK step does (one decode, one product each way).
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import { batchTopKMask } from './activation.ts'
import { matryoshkaWidthsProblem } from './matryoshka.ts'
import { auxMask, STAT_NAMES, type LossAndGrads } from './gradients.ts'
import { matMulBias } from './ops.ts'
import type { TrainParams } from './trainParams.ts'

export interface MatryoshkaStepOptions {
  /** Mean latents per input over the batch (BatchTopK's k). */
  k: number
  /** Nested prefix widths, strictly ascending, the last = d_sae (SAELens's matryoshka_widths). */
  widths: readonly number[]
  applyBDecToInput: boolean
  /** 0/1 [dSae]: latents dead for AuxK; null or no dead latents: no auxiliary loss. */
  dead: tf.Tensor1D | null
  deadCount: number
  kAux: number
  auxCoefficient: number
}

/** Σ over rows of t [n, m] → [m], as ones[1, n]·t (tfjs reduces non-last axes by transposing). */
function colSum(ones: tf.Tensor2D, t: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(tf.matMul(ones, t), [t.shape[1]]) as tf.Tensor1D
}

/** Call inside tf.tidy. */
export function matryoshkaLossAndGrads(p: TrainParams, x: tf.Tensor2D, o: MatryoshkaStepOptions): LossAndGrads {
  const [n, dIn] = x.shape
  const dSae = p.W_enc.shape[1]
  const problem = matryoshkaWidthsProblem(o.widths, dSae)
  if (problem) throw new InvalidArgumentError(problem)
  const ones = tf.ones([1, n]) as tf.Tensor2D
  const xc = o.applyBDecToInput ? (tf.sub(x, p.b_dec) as tf.Tensor2D) : x // [n, dIn]
  const wDec = tf.transpose(p.W_dec_T) as tf.Tensor2D // [dSae, dIn]
  const pre = matMulBias(xc, p.W_enc, p.b_enc) // [n, dSae]
  const norms = tf.sqrt(colSum(tf.ones([1, dIn]) as tf.Tensor2D, tf.square(p.W_dec_T) as tf.Tensor2D)) // [dSae]
  const score = tf.mul(pre, norms) as tf.Tensor2D // [n, dSae]
  const { mask, minSelected } = batchTopKMask(score, o.k * n) // [n, dSae], []
  const f = tf.mul(pre, mask) as tf.Tensor2D // [n, dSae]: relu(pre·‖W_dec‖)/‖W_dec‖ on the chosen latents

  // Forward by blocks: each level's residual is the previous one plus its block's contribution.
  const starts = [0, ...o.widths.slice(0, -1)]
  const blocks = o.widths.map((end, b) => ({ start: starts[b]!, size: end - starts[b]! }))
  const fBlocks = blocks.map(({ start, size }) => tf.slice(f, [0, start], [n, size]) as tf.Tensor2D) // [n, size]
  const residuals: tf.Tensor2D[] = [] // r_l [n, dIn]
  let r = tf.sub(tf.reshape(p.b_dec, [1, dIn]), x) as tf.Tensor2D // [n, dIn]: b_dec − x, the empty prefix
  blocks.forEach(({ start, size }, b) => {
    r = tf.add(r, tf.matMul(fBlocks[b]!, tf.slice(wDec, [start, 0], [size, dIn]) as tf.Tensor2D)) as tf.Tensor2D
    residuals.push(r)
  })
  const levelSse = residuals.map((rl) => tf.sum(tf.square(rl)) as tf.Scalar)
  const rFull = residuals.at(-1)! // [n, dIn]

  // Backward: suffix sums of g_l = 2r_l/n, one per block.
  const suffix: tf.Tensor2D[] = new Array<tf.Tensor2D>(blocks.length) // G_b [n, dIn]
  let acc: tf.Tensor2D | null = null
  for (let b = blocks.length - 1; b >= 0; b--) {
    const g = tf.mul(residuals[b]!, 2 / n) as tf.Tensor2D
    acc = acc ? (tf.add(acc, g) as tf.Tensor2D) : g
    suffix[b] = acc
  }
  const dF = tf.concat(blocks.map(({ start, size }, b) => tf.matMul(suffix[b]!, tf.slice(p.W_dec_T, [0, start], [dIn, size]) as tf.Tensor2D)), 1) // [n, dSae]
  let gPre = tf.mul(dF, mask) as tf.Tensor2D // [n, dSae]
  let dWDecT = tf.concat(blocks.map((_, b) => tf.matMul(tf.transpose(suffix[b]!), fBlocks[b]!)), 1) as tf.Tensor2D // [dIn, dSae]

  // AuxK exactly as BatchTopK's (gradients.ts): the top kAux dead latents reconstruct the detached e = x − x̂.
  let aux: tf.Scalar = tf.scalar(0)
  const kAux = Math.min(o.kAux, o.deadCount)
  if (o.dead && kAux > 0 && o.auxCoefficient > 0) {
    const zMask = auxMask(score, o.dead, kAux) // [n, dSae]
    const z = tf.mul(pre, zMask) as tf.Tensor2D // [n, dSae]
    const rAux = tf.add(tf.matMul(z, wDec), rFull) as tf.Tensor2D // [n, dIn]: ê − e with e = −r
    const c = o.auxCoefficient * Math.min(o.deadCount / o.kAux, 1)
    aux = tf.mul(tf.sum(tf.square(rAux)), c / n) as tf.Scalar
    const gAux = tf.mul(rAux, (2 * c) / n) as tf.Tensor2D // [n, dIn]
    gPre = tf.add(gPre, tf.mul(tf.matMul(gAux, p.W_dec_T), zMask)) as tf.Tensor2D
    dWDecT = tf.add(dWDecT, tf.matMul(tf.transpose(gAux), z)) as tf.Tensor2D
  }

  // Encoder side: xcᵀ·gPre and Σₙ gPre from one product (a ones row appended to xcᵀ).
  const product = tf.matMul(tf.concat([tf.transpose(xc), ones], 0) as tf.Tensor2D, gPre) // [dIn + 1, dSae]
  const dWEnc = tf.slice(product, [0, 0], [dIn, dSae]) as tf.Tensor2D // [dIn, dSae]
  const dBEnc = tf.reshape(tf.slice(product, [dIn, 0], [1, dSae]), [dSae]) as tf.Tensor1D // [dSae]
  let dBDec = colSum(ones, suffix[0]!) // [dIn]: b_dec is in every level
  if (o.applyBDecToInput) dBDec = tf.sub(dBDec, tf.reshape(tf.matMul(p.W_enc, tf.reshape(dBEnc, [-1, 1])), [-1])) as tf.Tensor1D

  const sse = levelSse.at(-1)!
  const mse = tf.div(sse, n) as tf.Scalar
  const loss = tf.add(tf.div(tf.addN(levelSse), n), aux) as tf.Scalar
  const mean = tf.div(tf.matMul(ones, x), n) // [1, dIn]
  const sst = tf.sum(tf.square(tf.sub(x, mean))) as tf.Scalar
  const stats: Record<(typeof STAT_NAMES)[number], tf.Scalar> = { loss, mse, sparsity: tf.scalar(0), aux, sse, sst }
  return {
    grads: { W_enc: dWEnc, b_enc: dBEnc, W_dec_T: dWDecT, b_dec: dBDec },
    // 'mse' and 'sse' are the full dictionary's (FVU is the SAE's); 'loss' sums every level's MSE and AuxK.
    stats: tf.stack(STAT_NAMES.map((name) => stats[name])) as tf.Tensor1D,
    fireCounts: colSum(ones, mask),
    minSelected,
  }
}
