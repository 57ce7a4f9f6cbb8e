// The SAE step where the math is sparse (Gao et al., "Scaling and evaluating sparse autoencoders", §D): with L0 of a
// few dozen latents out of thousands, the decoder forward f·W_dec, the decoder gradient gOutᵀ·f and, where the
// gradient is masked to the active latents (TopK, BatchTopK, JumpReLU; standard on its active set), dF and the encoder
// gradient xcᵀ·gPre touch only the active entries. They run on the slots of sparseOps.ts: gather the active decoder
// rows, per-row batched products, ScatterNd sums into latent rows. The encoder forward xc·W_enc stays dense (every
// pre-activation is needed to choose the active set), and so do Adam and the decoder norms.
// Same formulas as gradients.ts's dense steps (see its header), which sparseGradients.test.ts checks them against.
import * as tf from '@tensorflow/tfjs'
import { atLeast, SMALLEST_POSITIVE } from './activation.ts'
import { colSum, decoderNorms, packStats, penalizedOnly, totalVariance, type Forward, type JumpReluStepOptions, type LossAndGrads, type StandardStepOptions, type TopKStepOptions } from './gradients.ts'
import { blockCoefficients, gatherAt, gatherRows, gatherVector, rowDots, scatterOuter, scatterSums, weightedRowSums } from './sparseOps.ts'
import type { PlannedSlots } from './stepPlan.ts'
import type { TrainParams } from './trainParams.ts'

/** One set of slots: latent indices and forward values [n, s]. */
interface SlotGroup {
  cols: tf.Tensor2D // [n, s] int32
  vals: tf.Tensor2D // [n, s]
}

/** The decoder side of the step from the slots alone: each group's Σ vals·W_dec,col per row, and what the backward reuses. */
interface SparseDecode {
  cols: tf.Tensor2D // [n, S]: every group's slots side by side
  coef: tf.Tensor3D // [n, S, groups]
  rows: tf.Tensor3D // [n, S, dIn]: W_dec rows of every slot
  sums: tf.Tensor2D[] // groups × [n, dIn]
}

function decode(wDec: tf.Tensor2D, groups: SlotGroup[]): SparseDecode {
  const cols = groups.length === 1 ? groups[0]!.cols : (tf.concat(groups.map((g) => g.cols), 1) as tf.Tensor2D) // [n, S]
  const coef = blockCoefficients(groups.map((g) => g.vals)) // [n, S, a]
  const rows = gatherRows(wDec, cols) // [n, S, dIn]
  const [n, , dIn] = rows.shape
  const perGroup = weightedRowSums(coef, rows) // [n, a, dIn]
  const sums = tf.unstack(perGroup, 1) as tf.Tensor2D[]
  return { cols, coef, rows, sums: sums.map((t) => tf.reshape(t, [n, dIn]) as tf.Tensor2D) }
}

/** dF at every group's slots: the slot's W_dec row · its group's output gradient g [n, dIn] → groups × [n, sᵢ]. */
function slotGradients(d: SparseDecode, groups: SlotGroup[], gs: tf.Tensor2D[]): tf.Tensor2D[] {
  const [n] = d.cols.shape
  const dots = rowDots(d.rows, tf.stack(gs, 1) as tf.Tensor3D) // [n, S, a]
  let start = 0
  return groups.map((g, i) => {
    const s = g.cols.shape[1]
    const out = tf.reshape(tf.slice(dots, [0, start, i], [n, s, 1]), [n, s]) as tf.Tensor2D
    start += s
    return out
  })
}

/** Parameter gradients from the slots: W_decᵀ (reconstruction part), W_enc, b_enc, b_dec, and the extra per-latent sums. */
function slotParamGrads(
  p: TrainParams,
  fw: Forward,
  d: SparseDecode,
  gs: tf.Tensor2D[],
  gPre: tf.Tensor2D,
  gOut: tf.Tensor2D,
  extra: tf.Tensor2D[],
  applyBDec: boolean,
) {
  const [n, dIn] = fw.xc.shape
  const dSae = p.W_enc.shape[1]
  const S = d.cols.shape[1]
  const dWDecT = scatterOuter(d.cols, d.coef, tf.stack(gs, 1) as tf.Tensor3D, dSae) // [dIn, dSae]
  const dWEnc = scatterOuter(d.cols, tf.reshape(gPre, [n, S, 1]) as tf.Tensor3D, tf.reshape(fw.xc, [n, 1, dIn]) as tf.Tensor3D, dSae) // [dIn, dSae]
  const [dBEnc, ...sums] = scatterSums(d.cols, [gPre, ...extra], dSae) // [dSae] each
  let dBDec = colSum(fw.ones, gOut) // [dIn]
  if (applyBDec) dBDec = tf.sub(dBDec, tf.reshape(tf.matMul(p.W_enc, tf.reshape(dBEnc!, [-1, 1])), [-1])) as tf.Tensor1D
  return { dWDecT, grads: { W_enc: dWEnc, b_enc: dBEnc!, b_dec: dBDec }, sums }
}

/** x̂ − x, Σ(x̂ − x)² and the output gradient 2(x̂ − x)/n, from the decoded sum [n, dIn]. */
function residual(p: TrainParams, x: tf.Tensor2D, decoded: tf.Tensor2D, n: number) {
  const r = tf.sub(tf.add(decoded, p.b_dec), x) as tf.Tensor2D // [n, dIn]
  return { r, sse: tf.sum(tf.square(r)) as tf.Scalar, gOut: tf.mul(r, 2 / n) as tf.Tensor2D }
}

/** Standard on the `slots` largest activations of each row (every active one: slots ≥ the busiest row's count). */
export function sparseStandard(p: TrainParams, x: tf.Tensor2D, o: StandardStepOptions, fw: Forward, f: tf.Tensor2D, slots: number): LossAndGrads {
  const { n, ones } = fw
  const { values: vals, indices: cols } = tf.topk(f, slots, false) // [n, s]; unused slots hold f = 0
  const gate = tf.step(vals) as tf.Tensor2D // [n, s] 1 where f > 0
  const norms = decoderNorms(p) // [dSae]
  const weighed = penalizedOnly(norms, o.penalized) // [dSae]: the L1 term's weight per latent
  const group = { cols: cols as tf.Tensor2D, vals: vals as tf.Tensor2D }
  const d = decode(fw.wDec, [group])
  const { sse, gOut } = residual(p, x, d.sums[0]!, n)
  const [dots] = slotGradients(d, [group], [gOut]) // [n, s]
  const dF = tf.add(dots!, tf.mul(gatherVector(weighed, group.cols), o.l1 / n)) // [n, s]: the L1 term's ∂/∂f is λ‖W_dec,i‖/n
  const gPre = tf.mul(dF, gate) as tf.Tensor2D // [n, s]
  const { dWDecT, grads, sums } = slotParamGrads(p, fw, d, [gOut], gPre, gOut, [gate, group.vals], o.applyBDecToInput)
  const [fireCounts, fSum] = sums as [tf.Tensor1D, tf.Tensor1D]
  const sparsity = tf.mul(tf.sum(tf.mul(fSum, weighed)), o.l1 / n) as tf.Scalar
  const l1Dec = tf.mul(penalizedOnly(tf.div(fSum, norms), o.penalized), o.l1 / n) // [dSae]
  return {
    grads: { ...grads, W_dec_T: tf.add(dWDecT, tf.mul(p.W_dec_T, l1Dec)) },
    stats: packStats(tf.div(sse, n), sparsity, tf.scalar(0), sse, totalVariance(x, ones, n)),
    fireCounts,
  }
}

/**
 * TopK (`batch` null: k slots a row) or BatchTopK (`batch`: the dense selection mask and the busiest row's count), with
 * AuxK's kAux dead latents a row as a second slot group that reconstructs the residual. A row's top-k by index keeps
 * exactly k where the dense mask keeps every tie at the k-th score (continuous scores do not tie).
 */
export function sparseTopK(
  p: TrainParams,
  x: tf.Tensor2D,
  o: TopKStepOptions,
  fw: Forward,
  pre: tf.Tensor2D,
  /** pre·‖W_dec,i‖ [n, dSae], asked for only where needed (no choice made yet, or AuxK): a chosen TopK without AuxK skips it. */
  score: () => tf.Tensor2D,
  batch: { mask: tf.Tensor2D; minSelected: tf.Scalar; slots: number } | null,
  /** TopK's slots as an EncoderEngine chose them, or null to choose here. */
  chosen: PlannedSlots | null = null,
): LossAndGrads {
  const { n, ones } = fw
  const sel = chosen ? { values: chosen.scores, indices: chosen.cols } : tf.topk(score(), batch ? batch.slots : o.k, false) // [n, s]
  const cols = sel.indices as tf.Tensor2D
  // The gate matches the dense mask: positive scores only (TopK); BatchTopK reads its mask at the slots.
  const gate = batch ? gatherAt(batch.mask, cols) : (atLeast(sel.values, SMALLEST_POSITIVE) as tf.Tensor2D) // [n, s]
  const groups: SlotGroup[] = [{ cols, vals: tf.mul(chosen ? chosen.pres : gatherAt(pre, cols), gate) as tf.Tensor2D }]
  const kAux = o.dead && o.auxCoefficient > 0 ? Math.min(o.kAux, o.deadCount) : 0
  if (kAux > 0) {
    const penalty = tf.mul(tf.sub(o.dead!, 1), 1e30) // [dSae]: 0 for dead latents, −1e30 for live ones
    const auxCols = tf.topk(tf.add(score(), penalty), kAux, false).indices as tf.Tensor2D // [n, kAux], all dead
    groups.push({ cols: auxCols, vals: gatherAt(pre, auxCols) })
  }
  const d = decode(fw.wDec, groups)
  const { r, sse, gOut } = residual(p, x, d.sums[0]!, n)
  const gs = [gOut]
  let aux: tf.Scalar = tf.scalar(0)
  if (kAux > 0) {
    const rAux = tf.add(d.sums[1]!, r) as tf.Tensor2D // [n, dIn]: ê − e with e = −r
    const c = o.auxCoefficient * Math.min(o.deadCount / o.kAux, 1)
    aux = tf.mul(tf.sum(tf.square(rAux)), c / n) as tf.Scalar
    gs.push(tf.mul(rAux, (2 * c) / n) as tf.Tensor2D) // [n, dIn]
  }
  const dF = slotGradients(d, groups, gs) // groups × [n, sᵢ]
  const gPreParts = [tf.mul(dF[0]!, gate) as tf.Tensor2D, ...dF.slice(1)] // AuxK's slots are all selected
  const gPre = (gPreParts.length === 1 ? gPreParts[0]! : tf.concat(gPreParts, 1)) as tf.Tensor2D // [n, S]
  const fired = (kAux > 0 ? tf.concat([gate, tf.zeros([n, kAux])], 1) : gate) as tf.Tensor2D // [n, S]
  const { dWDecT, grads, sums } = slotParamGrads(p, fw, d, gs, gPre, gOut, [fired], o.applyBDecToInput)
  return {
    grads: { ...grads, W_dec_T: dWDecT },
    stats: packStats(tf.div(sse, n), tf.scalar(0), aux, sse, totalVariance(x, ones, n)),
    fireCounts: sums[0]!,
    ...(batch ? { minSelected: batch.minSelected } : {}),
  }
}

/** JumpReLU on the `slots` latents of each row with pre > θ − ε/2: the active ones and the lower half of the θ band. */
export function sparseJumpRelu(p: TrainParams, x: tf.Tensor2D, o: JumpReluStepOptions, fw: Forward, pre: tf.Tensor2D, theta: tf.Tensor1D, slots: number): LossAndGrads {
  const { n, ones } = fw
  const eps = o.bandwidth
  const cols = tf.topk(tf.add(tf.sub(pre, theta), eps / 2), slots, false).indices as tf.Tensor2D // [n, s]
  const thetaAt = gatherVector(theta, cols) // [n, s]
  const preAt = gatherAt(pre, cols) // [n, s]
  const diff = tf.sub(preAt, thetaAt) // [n, s]: bit-equal to the dense pre − θ
  const active = tf.step(diff) as tf.Tensor2D // [n, s]
  const rect = tf.step(tf.sub(eps / 2, tf.abs(diff))) as tf.Tensor2D // [n, s] 1 where |pre − θ| < ε/2
  const group = { cols, vals: tf.mul(preAt, active) as tf.Tensor2D }
  const d = decode(fw.wDec, [group])
  const { sse, gOut } = residual(p, x, d.sums[0]!, n)
  const [dF] = slotGradients(d, [group], [gOut]) // [n, s]
  const gPre = tf.mul(dF!, active) as tf.Tensor2D
  const { dWDecT, grads, sums } = slotParamGrads(p, fw, d, [gOut], gPre, gOut, [active, tf.mul(rect, dF!) as tf.Tensor2D, rect], o.applyBDecToInput)
  const [fireCounts, rectDF, rectCount] = sums as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D]
  const sparsity = tf.mul(tf.sum(fireCounts), o.l0 / n) as tf.Scalar
  const dThetaRecon = tf.mul(rectDF, tf.div(theta, -eps)) // [dSae]
  const dThetaL0 = tf.mul(rectCount, -o.l0 / (n * eps)) // [dSae]
  return {
    grads: { ...grads, W_dec_T: dWDecT, log_threshold: tf.mul(tf.add(dThetaRecon, dThetaL0), theta) as tf.Tensor1D },
    stats: packStats(tf.div(sse, n), sparsity, tf.scalar(0), sse, totalVariance(x, ones, n)),
    fireCounts,
  }
}
