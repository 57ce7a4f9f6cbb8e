// Test-only reference losses written the way SAELens writes them (W_dec [dSae, dIn], norms via tf ops, masks from
// topk indices through oneHot), differentiated by tf autodiff, to check the hand-written gradients against.
import * as tf from '@tensorflow/tfjs'
import type { ParamName, TrainParams } from '../trainParams.ts'

export type ReferenceArch =
  | { kind: 'standard'; l1: number; /** each latent's share of λ (default 1) */ penalized?: Float32Array }
  | { kind: 'topk'; k: number; dead: Float32Array | null; kAux: number; auxCoefficient: number }
  | { kind: 'batchtopk'; k: number; dead: Float32Array | null; kAux: number; auxCoefficient: number }
  | { kind: 'matryoshka_batchtopk'; k: number; widths: number[]; dead: Float32Array | null; kAux: number; auxCoefficient: number }
  | { kind: 'jumprelu'; l0: number; bandwidth: number }

const rectangle = (u: tf.Tensor) => tf.cast(tf.logicalAnd(tf.greater(u, -0.5), tf.less(u, 0.5)), 'float32')

/** SAELens's JumpReLU autograd function: forward x·H(x − θ); backward as its straight-through estimator. */
function jumpReluFn(bandwidth: number) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, threshold, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc]
    save([x, threshold])
    return {
      value: tf.mul(x, tf.cast(tf.greater(x, threshold), 'float32')),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, st] = saved as [tf.Tensor, tf.Tensor]
        const dx = tf.mul(tf.cast(tf.greater(sx, st), 'float32'), dy)
        const dt = tf.sum(tf.mul(tf.mul(tf.div(st, -bandwidth), rectangle(tf.div(tf.sub(sx, st), bandwidth))), dy), 0)
        return [dx, dt]
      },
    }
  })
}

/** SAELens's Step autograd function: forward H(x − θ); gradient only into θ. */
function stepFn(bandwidth: number) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, threshold, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc]
    save([x, threshold])
    return {
      value: tf.cast(tf.greater(x, threshold), 'float32'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, st] = saved as [tf.Tensor, tf.Tensor]
        const dt = tf.sum(tf.mul(tf.mul(rectangle(tf.div(tf.sub(sx, st), bandwidth)), -1 / bandwidth), dy), 0)
        return [tf.zerosLike(sx), dt]
      },
    }
  })
}

/** 0/1 mask from top-k indices along the last axis of t [n, m] (independent of the trainer's threshold masks). */
function oneHotTopK(t: tf.Tensor2D, k: number): tf.Tensor2D {
  const { indices } = tf.topk(t, k) // [n, k]
  return tf.sum(tf.oneHot(indices, t.shape[1]), 1) as tf.Tensor2D // [n, m]
}

/** Loss and autodiff gradients for every parameter. */
export function referenceLossAndGrads(
  params: TrainParams,
  x: tf.Tensor2D,
  arch: ReferenceArch,
  applyBDec = true,
): { loss: number; grads: Partial<Record<ParamName, tf.Tensor>> } {
  return tf.tidy(() => {
    const names = (['W_enc', 'b_enc', 'W_dec_T', 'b_dec', 'log_threshold'] as const).filter((n) => params[n] !== undefined)
    const n = x.shape[0]
    const dSae = params.W_enc.shape[1]

    // Masks are piecewise constant in the parameters, so compute them outside the differentiated function.
    const constants = (() => {
      const wDec = tf.transpose(params.W_dec_T) as tf.Tensor2D
      const norms = tf.sqrt(tf.sum(tf.square(wDec), 1))
      const xc = applyBDec ? tf.sub(x, params.b_dec) : x
      const pre = tf.add(tf.matMul(xc, params.W_enc), params.b_enc) as tf.Tensor2D
      const score = tf.mul(pre, norms) as tf.Tensor2D
      if (arch.kind === 'topk' || arch.kind === 'batchtopk' || arch.kind === 'matryoshka_batchtopk') {
        let mask: tf.Tensor2D
        if (arch.kind === 'topk') mask = tf.mul(oneHotTopK(score, arch.k), tf.cast(tf.greater(score, 0), 'float32')) as tf.Tensor2D
        else {
          const flat = tf.reshape(tf.relu(score), [1, n * dSae]) as tf.Tensor2D
          mask = tf.reshape(tf.mul(oneHotTopK(flat, Math.round(arch.k * n)), tf.cast(tf.greater(flat, 0), 'float32')), [n, dSae]) as tf.Tensor2D
        }
        let auxMask: tf.Tensor2D | null = null
        let residual: tf.Tensor2D | null = null
        const deadCount = arch.dead ? arch.dead.reduce((a, b) => a + b, 0) : 0
        if (arch.dead && deadCount > 0) {
          const dead = tf.tensor1d(arch.dead)
          const masked = tf.where(tf.greater(tf.broadcastTo(dead, [n, dSae]), 0), score, tf.fill([n, dSae], -Infinity)) as tf.Tensor2D
          auxMask = oneHotTopK(masked, Math.min(arch.kAux, deadCount))
          const f = tf.mul(pre, mask)
          residual = tf.sub(x, tf.add(tf.matMul(f, wDec), params.b_dec)) as tf.Tensor2D // detached e = x − x̂
        }
        return { mask, auxMask, residual, deadCount }
      }
      return { mask: null, auxMask: null, residual: null, deadCount: 0 }
    })()

    const lossFn = (...values: tf.Tensor[]): tf.Scalar => {
      const p = Object.fromEntries(names.map((name, i) => [name, values[i]!])) as unknown as TrainParams
      const wDec = tf.transpose(p.W_dec_T) as tf.Tensor2D // [dSae, dIn]
      const norms = tf.sqrt(tf.sum(tf.square(wDec), 1)) // [dSae]
      const xc = applyBDec ? tf.sub(x, p.b_dec) : x
      const pre = tf.add(tf.matMul(xc, p.W_enc), p.b_enc) as tf.Tensor2D
      const decode = (acts: tf.Tensor) => tf.add(tf.matMul(acts as tf.Tensor2D, wDec), p.b_dec)
      const mseOf = (xHat: tf.Tensor) => tf.div(tf.sum(tf.square(tf.sub(xHat, x))), n)
      switch (arch.kind) {
        case 'standard': {
          const f = tf.relu(pre)
          const weights = arch.penalized ? tf.mul(norms, tf.tensor1d(arch.penalized)) : norms
          return tf.add(mseOf(decode(f)), tf.mul(tf.div(tf.sum(tf.mul(f, weights)), n), arch.l1)) as tf.Scalar
        }
        case 'topk':
        case 'batchtopk':
        case 'matryoshka_batchtopk': {
          const hidden = tf.mul(pre, norms) // SAELens: hidden_pre * W_dec.norm(dim=-1)
          const f = tf.div(tf.mul(tf.relu(hidden), constants.mask!), norms) // decode divides by the norms
          let loss = mseOf(decode(f))
          if (arch.kind === 'matryoshka_batchtopk') {
            // SAELens's inner levels: feature_acts[:, :w] @ W_dec[:w] + b_dec for every width but the last.
            for (const w of arch.widths.slice(0, -1)) {
              const inner = tf.add(tf.matMul(tf.slice(f, [0, 0], [n, w]) as tf.Tensor2D, tf.slice(wDec, [0, 0], [w, wDec.shape[1]]) as tf.Tensor2D), p.b_dec)
              loss = tf.add(loss, mseOf(inner))
            }
          }
          if (constants.auxMask) {
            const z = tf.div(tf.mul(hidden, constants.auxMask), norms)
            const eHat = tf.matMul(z as tf.Tensor2D, wDec)
            const scale = Math.min(constants.deadCount / arch.kAux, 1)
            loss = tf.add(loss, tf.mul(tf.div(tf.sum(tf.square(tf.sub(eHat, constants.residual!))), n), arch.auxCoefficient * scale))
          }
          return loss as tf.Scalar
        }
        case 'jumprelu': {
          const theta = tf.exp(p.log_threshold!)
          const f = jumpReluFn(arch.bandwidth)(pre, theta)
          const l0 = tf.div(tf.sum(stepFn(arch.bandwidth)(pre, theta)), n)
          return tf.add(mseOf(decode(f)), tf.mul(l0, arch.l0)) as tf.Scalar
        }
      }
    }
    const { value, grads } = tf.valueAndGrads(lossFn)(names.map((name) => params[name]!))
    return { loss: value.dataSync()[0]!, grads: Object.fromEntries(names.map((name, i) => [name, grads[i]!])) }
  })
}
