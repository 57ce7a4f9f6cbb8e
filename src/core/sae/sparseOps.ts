// Sparse building blocks for the SAE step, in a slot layout: each input row's active latents sit in `s` slots,
// cols [n, s] (latent indices, int32) with per-slot values [n, s]; unused slots hold a value and gate of 0.
// Built only from kernels tfjs-wasm implements and runs fast (measured, bench/suites/saeTrain.ts's notes):
// GatherNd gathers whole rows (GatherV2 copies element by element, ~10× slower for rows), ScatterNd sums
// duplicate indices (tfjs-wasm has no UnsortedSegmentSum), batched matMul does the per-row products.
import * as tf from '@tensorflow/tfjs'

/** t [n, m] at (row, cols[row, j]) → [n, s]. */
export function gatherAt(t: tf.Tensor2D, cols: tf.Tensor2D): tf.Tensor2D {
  const [n, m] = t.shape
  const s = cols.shape[1]
  const offsets = tf.reshape(tf.range(0, n * m, m, 'int32'), [n, 1]) // [n, 1]: each row's start in the flat t
  const flat = tf.reshape(tf.add(cols, offsets), [n * s]) // [n·s]
  return tf.reshape(tf.gather(tf.reshape(t, [n * m]), flat), [n, s]) as tf.Tensor2D
}

/** v [m] at cols [n, s] → [n, s]. */
export function gatherVector(v: tf.Tensor1D, cols: tf.Tensor2D): tf.Tensor2D {
  return tf.reshape(tf.gather(v, tf.reshape(cols, [-1])), cols.shape) as tf.Tensor2D
}

/** Rows of w [dSae, d] for every slot → [n, s, d] (Gao et al.'s gather of decoder rows). */
export function gatherRows(w: tf.Tensor2D, cols: tf.Tensor2D): tf.Tensor3D {
  const [n, s] = cols.shape
  return tf.reshape(tf.gatherND(w, tf.reshape(cols, [n * s, 1])), [n, s, w.shape[1]]) as tf.Tensor3D
}

/**
 * Block-diagonal slot coefficients [n, S, a] from a groups [n, sᵢ] (S = Σ sᵢ): group i's slots carry their values in
 * column i and zeros elsewhere, so one batched product with a per-row [n, a, d] keeps the groups apart.
 */
export function blockCoefficients(groups: tf.Tensor2D[]): tf.Tensor3D {
  if (groups.length === 1) return tf.expandDims(groups[0]!, 2) as tf.Tensor3D // [n, s, 1]
  const [n] = groups[0]!.shape
  const parts = groups.map((g, i) => {
    const s = g.shape[1]
    const cols = groups.map((_, j) => (j === i ? tf.reshape(g, [n, s, 1]) : tf.zeros([n, s, 1])))
    return tf.concat(cols, 2) // [n, sᵢ, a]
  })
  return tf.concat(parts, 1) as tf.Tensor3D // [n, S, a]
}

/** Per-row sums of coefficient-weighted rows: coef [n, S, a], rows [n, S, d] → [n, a, d]. */
export function weightedRowSums(coef: tf.Tensor3D, rows: tf.Tensor3D): tf.Tensor3D {
  return tf.matMul(tf.transpose(coef, [0, 2, 1]), rows) as tf.Tensor3D
}

/** rows [n, S, d] · g [n, a, d] per input → [n, S, a]: every slot's dot product with each of its row's vectors. */
export function rowDots(rows: tf.Tensor3D, g: tf.Tensor3D): tf.Tensor3D {
  return tf.matMul(rows, tf.transpose(g, [0, 2, 1])) as tf.Tensor3D
}

/**
 * Σ over every slot holding latent j of coef[slot]·v[row] → [d, dSae], transposed as the trainer holds W_enc and
 * W_decᵀ. coef [n, S, a], v [n, a, d]: the per-slot outer products come from one batched matMul, ScatterNd sums
 * them into latent rows, and one transpose of [dSae, d] puts them in the parameters' layout.
 */
export function scatterOuter(cols: tf.Tensor2D, coef: tf.Tensor3D, v: tf.Tensor3D, dSae: number): tf.Tensor2D {
  const [n, S] = cols.shape
  const d = v.shape[2]
  // One group: a broadcast multiply (tfjs-wasm's batched matMul with an inner dimension of 1 is ~2× slower).
  const products = coef.shape[2] === 1 ? tf.mul(coef, v) : tf.matMul(coef, v) // [n, S, d]
  const outer = tf.reshape(products, [n * S, d]) // [n·S, d]
  const byLatent = tf.scatterND(tf.reshape(cols, [n * S, 1]), outer, [dSae, d]) // [dSae, d]
  return tf.transpose(byLatent) as tf.Tensor2D // [d, dSae]
}

/** Per-latent sums of per-slot scalars: each of `values` [n, S] summed over the slots holding latent j → [dSae] each. */
export function scatterSums(cols: tf.Tensor2D, values: tf.Tensor2D[], dSae: number): tf.Tensor1D[] {
  const [n, S] = cols.shape
  const m = values.length
  const stacked = tf.reshape(tf.stack(values, 2), [n * S, m]) // [n·S, m]
  const byLatent = tf.scatterND(tf.reshape(cols, [n * S, 1]), stacked, [dSae, m]) // [dSae, m]
  return tf.unstack(tf.transpose(byLatent), 0) as tf.Tensor1D[] // m × [dSae]
}
