// Linear probes: L2-regularised logistic regression of many binary targets at once on the same activations, the
// ceiling an SAE's features are measured against (does the residual stream carry the concept linearly at all?).
// Inputs are standardised on the training rows; each target's positives and negatives weigh half the loss each, so
// a concept on 0.1% of tokens is fitted as seriously as one on half of them (AUROC is all we read from it).
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'

export interface ProbeTarget {
  /** Per row of x: 1 where the target is present. */
  labels: Uint8Array // [n]
  /** Per row: 0 where the row must not be trained on for this target (e.g. before a span's cue); default all 1. */
  include?: Uint8Array | null // [n]
}

export interface ProbeOptions {
  /** L2 penalty ½λ‖w‖² on the standardised weights (not the bias), against a loss of order 0.7. */
  lambda?: number
  /**
   * Full-batch Adam steps: 150 at rate 0.1 lands within 1e-7 of Newton's loss on planted data (probe.test.ts), but
   * not on TinyWorld's activations: there 600 steps move the cross-language figures (33 → 36 concepts represented,
   * measured 2026-12-07). 150 keeps eval-sae at about a minute of probe fitting on 2 shared cores.
   */
  steps?: number
  learningRate?: number
}

export interface FittedProbes {
  dIn: number
  nTargets: number
  /** Per target, whether it had both classes among its training rows (else its scores are NaN). */
  defined: boolean[]
  mean: Float32Array // [dIn]
  scale: Float32Array // [dIn], 1/std
  weights: Float32Array // [dIn, nTargets], on standardised inputs
  bias: Float32Array // [nTargets]
}

export const PROBE_DEFAULTS = { lambda: 1e-3, steps: 150, learningRate: 0.1 } as const

/**
 * Fits one probe per target on the rows `trainRows` of x [n, dIn] (row-major). Reads back synchronously: only the
 * CLI (eval-sae, probe-sweep, in Node) calls it today. A worker caller on WebGPU, where synchronous reads return
 * zeros, needs an asynchronous version (await data()) first.
 */
export function fitProbes(x: Float32Array, dIn: number, trainRows: Int32Array, targets: readonly ProbeTarget[], opts: ProbeOptions = {}): FittedProbes {
  const n = x.length / dIn
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`Activations of length ${x.length} are not rows of ${dIn}`)
  const m = trainRows.length
  const nT = targets.length
  if (m === 0 || nT === 0) throw new InvalidArgumentError('A probe needs training rows and at least one target')
  for (const t of targets) {
    if (t.labels.length !== n || (t.include && t.include.length !== n)) throw new InvalidArgumentError(`Probe targets must label all ${n} rows`)
  }
  const { lambda, steps, learningRate } = { ...PROBE_DEFAULTS, ...opts }

  // Standardise on the training rows.
  const mean = new Float64Array(dIn)
  const sq = new Float64Array(dIn)
  for (const r of trainRows) {
    for (let j = 0, o = r * dIn; j < dIn; j++) {
      const v = x[o + j]!
      mean[j]! += v
      sq[j]! += v * v
    }
  }
  const meanF = new Float32Array(dIn)
  const scale = new Float32Array(dIn)
  for (let j = 0; j < dIn; j++) {
    const mu = mean[j]! / m
    const variance = sq[j]! / m - mu * mu
    meanF[j] = mu
    scale[j] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 0 // a constant input carries nothing
  }
  const xs = new Float32Array(m * dIn)
  trainRows.forEach((r, i) => {
    for (let j = 0; j < dIn; j++) xs[i * dIn + j] = (x[r * dIn + j]! - meanF[j]!) * scale[j]!
  })

  // Balanced weights: each target's included positives share ½, its included negatives the other ½.
  const y = new Float32Array(m * nT)
  const w = new Float32Array(m * nT)
  const defined = targets.map((t, c) => {
    let p = 0
    let q = 0
    trainRows.forEach((r, i) => {
      if (t.include && !t.include[r]) return
      if (t.labels[r]) {
        p++
        y[i * nT + c] = 1
      } else q++
    })
    if (p === 0 || q === 0) return false
    trainRows.forEach((r, i) => {
      if (t.include && !t.include[r]) return
      w[i * nT + c] = t.labels[r] ? 0.5 / p : 0.5 / q
    })
    return true
  })

  const [weights, bias] = tf.tidy(() => {
    const X = tf.tensor2d(xs, [m, dIn]) // [m, dIn]
    const XT = X.transpose() // [dIn, m]: explicit, as tfjs-wasm's transposeA is far slower
    const Y = tf.tensor2d(y, [m, nT]) // [m, nT]
    const Wt = tf.tensor2d(w, [m, nT]) // [m, nT]
    let W = tf.zeros([dIn, nT]) as tf.Tensor2D // [dIn, nT]
    let b = tf.zeros([1, nT]) as tf.Tensor2D // [1, nT]
    let mW = tf.zerosLike(W)
    let vW = tf.zerosLike(W)
    let mb = tf.zerosLike(b)
    let vb = tf.zerosLike(b)
    const [b1, b2, eps] = [0.9, 0.999, 1e-8]
    for (let s = 1; s <= steps; s++) {
      const next = tf.tidy(() => {
        const r = tf.sigmoid(tf.matMul(X, W).add(b)).sub(Y).mul(Wt) // [m, nT]: ∂loss/∂logit
        const gW = tf.matMul(XT, r).add(W.mul(lambda)) // [dIn, nT]
        const gb = r.sum(0, true) // [1, nT]
        const c1 = 1 - b1 ** s
        const c2 = 1 - b2 ** s
        const mW2 = mW.mul(b1).add(gW.mul(1 - b1))
        const vW2 = vW.mul(b2).add(gW.square().mul(1 - b2))
        const mb2 = mb.mul(b1).add(gb.mul(1 - b1))
        const vb2 = vb.mul(b2).add(gb.square().mul(1 - b2))
        const W2 = W.sub(mW2.div(c1).div(vW2.div(c2).sqrt().add(eps)).mul(learningRate))
        const bb2 = b.sub(mb2.div(c1).div(vb2.div(c2).sqrt().add(eps)).mul(learningRate))
        return [W2, bb2, mW2, vW2, mb2, vb2] as tf.Tensor2D[]
      })
      tf.dispose([W, b, mW, vW, mb, vb])
      ;[W, b, mW, vW, mb, vb] = next as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
    }
    return [W, b]
  })
  const out: FittedProbes = {
    dIn,
    nTargets: nT,
    defined,
    mean: meanF,
    scale,
    weights: weights.dataSync() as Float32Array,
    bias: bias.dataSync() as Float32Array,
  }
  tf.dispose([weights, bias])
  return out
}

/** Logits of every probe on every row of x [n, dIn]: target-major, [nTargets][n] (NaN for undefined targets). */
export function probeLogits(probes: FittedProbes, x: Float32Array): Float32Array[] {
  const { dIn, nTargets } = probes
  const n = x.length / dIn
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`Activations of length ${x.length} are not rows of ${dIn}`)
  const flat = tf.tidy(() => {
    const X = tf.tensor2d(x, [n, dIn]).sub(tf.tensor1d(probes.mean)).mul(tf.tensor1d(probes.scale)) // [n, dIn]
    const Z = tf.matMul(X, tf.tensor2d(probes.weights, [dIn, nTargets])).add(tf.tensor1d(probes.bias)) // [n, nTargets]
    return Z.transpose() // [nTargets, n]
  })
  const data = flat.dataSync() as Float32Array
  flat.dispose()
  return probes.defined.map((ok, c) => (ok ? data.slice(c * n, (c + 1) * n) : new Float32Array(n).fill(NaN)))
}
