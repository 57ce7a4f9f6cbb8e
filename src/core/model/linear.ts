// Matrix products with hand-written gradients. tfjs's own matMul gradient uses the transposeA/transposeB
// flags, which tfjs-wasm runs ~40× slower than an explicit tf.transpose first; these ops transpose
// explicitly, so training through the model by autodiff stays fast. Forward passes never use the flags.
import * as tf from '@tensorflow/tfjs'

/** Swaps the last two axes (explicitly: see the file comment). */
export function transposeLast2(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i)
  const n = perm.length
  perm[n - 1] = n - 2
  perm[n - 2] = n - 1
  return tf.transpose(x, perm)
}

const leading = (x: tf.Tensor): number[] => x.shape.slice(0, -1)

type GradResult = { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] }

/** tf.customGrad with typed inputs: `f(inputs, save)`; the gradient returns one tensor per input. */
function customOp(f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => GradResult): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc
    return f(args.slice(0, -1) as tf.Tensor[], save)
  })
  return (...inputs: tf.Tensor[]) => op(...inputs)
}

const linearBias = customOp(([x, w, b], save) => {
  if (!x || !w || !b) throw new Error('linear: missing input')
  const [inDim, outDim] = w.shape as [number, number]
  const x2 = tf.reshape(x, [-1, inDim]) // [n, in]
  save([x2, w])
  const y = tf.fused.matMul({ a: x2, b: w as tf.Tensor2D, bias: b }) // [n, out]
  const xShape = x.shape
  return {
    value: tf.reshape(y, [...leading(x), outDim]),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx2, sw] = saved as [tf.Tensor2D, tf.Tensor2D]
      const dy2 = tf.reshape(dy, [-1, outDim]) as tf.Tensor2D // [n, out]
      return [
        tf.reshape(tf.matMul(dy2, tf.transpose(sw)), xShape), // [..., in]
        tf.matMul(tf.transpose(sx2), dy2), // [in, out]
        tf.sum(dy2, 0), // [out]
      ]
    },
  }
})

const linearNoBias = customOp(([x, w], save) => {
  if (!x || !w) throw new Error('linear: missing input')
  const [inDim, outDim] = w.shape as [number, number]
  const x2 = tf.reshape(x, [-1, inDim]) as tf.Tensor2D // [n, in]
  save([x2, w])
  const y = tf.matMul(x2, w as tf.Tensor2D) // [n, out]
  const xShape = x.shape
  return {
    value: tf.reshape(y, [...leading(x), outDim]),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx2, sw] = saved as [tf.Tensor2D, tf.Tensor2D]
      const dy2 = tf.reshape(dy, [-1, outDim]) as tf.Tensor2D // [n, out]
      return [tf.reshape(tf.matMul(dy2, tf.transpose(sw)), xShape), tf.matMul(tf.transpose(sx2), dy2)]
    },
  }
})

/**
 * True while a gradient tape records (tf.grad, tf.variableGrads): only then are the custom-gradient wrappers needed.
 * Outside one (inference: generation, harvesting, analysis) the ops below run their kernels directly, which on a
 * one-token decoding step removes five of a linear layer's seven kernels (the reshapes tf.fused.matMul makes around
 * its batched kernel) and a scope per product. Kernel dispatch, not arithmetic, is much of such a step.
 */
function recording(): boolean {
  return tf.engine().isTapeOn()
}

/** x [..., in] @ w [in, out] (+ b) as one fused kernel call on [1, rows, in]. */
function linearDirect(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  const [inDim, outDim] = w.shape as [number, number]
  // Batch 1 as is; otherwise one [1, rows, in] product: tfjs-wasm 4.22's _FusedMatMul adds the bias wrongly when a
  // batch-1 weight broadcasts over a larger batch (measured: max error 1.96 on [2, 3, 4] @ [1, 4, 5]; exact without bias).
  const x3 = x.rank === 3 && x.shape[0] === 1 ? x : tf.reshape(x, [1, -1, inDim]) // [1, rows, in]
  const w3 = tf.reshape(w, [1, inDim, outDim]) // [1, in, out]: a view, no copy
  const inputs: tf.NamedTensorMap = b === undefined ? { a: x3, b: w3 } : { a: x3, b: w3, bias: b }
  const y = tf.engine().runKernel('_FusedMatMul', inputs, { transposeA: false, transposeB: false, activation: 'linear' }) as tf.Tensor // [1, rows, out]
  return x3 === x ? y : tf.reshape(y, [...leading(x), outDim])
}

/** `x @ w + b` for x [..., in], w [in, out] (GPT-2's Conv1D orientation), b [out] → [..., out]. */
export function linear(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  if (!recording()) return linearDirect(x, w, b)
  return b === undefined ? linearNoBias(x, w) : linearBias(x, w, b)
}

// tfjs-wasm runs a batched matMul (batch > 1) in a plain C loop at ~2 GFLOP/s, but a 2-D one through
// XNNPACK, whose per-call setup costs ~0.5 ms. Per-slice 2-D products therefore win once a slice holds
// about a million multiply-adds (measured: 2× on 128-token attention with 64-wide heads, 7× at 512
// tokens) and lose on small ones (decoding: one query row), where the setup dominates.
const PER_SLICE_MIN_MACS = 2 ** 20
// But tfjs-wasm's Unpack (tf.unstack) copies at only ~20 M floats/s, so splitting a large input costs more than
// the slow batched product it avoids: measured on [32, 256, 256] @ [32, 256, 32] (attention weights times
// values in a training batch) per-slice took 232 ms against 45 ms batched, and made Unpack 55% of a TinyWorld
// training step. Split only inputs this small (the decoding/prefill shapes where per-slice won).
const PER_SLICE_MAX_INPUT_FLOATS = 600_000

function batchedProduct(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const rank = a.shape.length
  const m = a.shape[rank - 2] as number
  const k = a.shape[rank - 1] as number
  const n = b.shape[rank - 1] as number
  const batchShape = a.shape.slice(0, -2)
  const batch = batchShape.reduce((x, y) => x * y, 1)
  const inputFloats = batch * (m * k + k * n)
  if (tf.getBackend() !== 'wasm' || batch === 1 || m * k * n < PER_SLICE_MIN_MACS || inputFloats > PER_SLICE_MAX_INPUT_FLOATS) {
    return tf.matMul(a, b)
  }
  const as = tf.unstack(tf.reshape(a, [batch, m, k])) as tf.Tensor2D[]
  const bs = tf.unstack(tf.reshape(b, [batch, k, n])) as tf.Tensor2D[]
  return tf.reshape(tf.stack(as.map((ai, i) => tf.matMul(ai, bs[i] as tf.Tensor2D))), [...batchShape, m, n])
}

const batchedMatMul = customOp(([a, b], save) => {
  if (!a || !b) throw new Error('bmm: missing input')
  save([a, b])
  return {
    value: batchedProduct(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor]
      return [batchedProduct(dy, transposeLast2(sb)), batchedProduct(transposeLast2(sa), dy)]
    },
  }
})

/** a [..., m, k] @ b [..., k, n] → [..., m, n], with the same leading (batch) axes on both. */
export function bmm(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return recording() ? batchedMatMul(a, b) : batchedProduct(a, b)
}

/**
 * Logits `x @ wᵀ` for x [..., d] and an embedding-shaped w [vocab, d]. `wT` [d, vocab] must equal
 * transpose(w): the model keeps it so the forward pass never transposes the vocabulary matrix.
 */
export function unembed(x: tf.Tensor, w: tf.Tensor2D, wT: tf.Tensor2D): tf.Tensor {
  if (!recording()) return linearDirect(x, wT)
  const f = customOp(([xIn, wIn], save) => {
    if (!xIn || !wIn) throw new Error('unembed: missing input')
    const [vocab, d] = wIn.shape as [number, number]
    const x2 = tf.reshape(xIn, [-1, d]) as tf.Tensor2D // [n, d]
    save([x2, wIn])
    const xShape = xIn.shape
    return {
      value: tf.reshape(tf.matMul(x2, wT), [...leading(xIn), vocab]), // [..., vocab]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx2, sw] = saved as [tf.Tensor2D, tf.Tensor2D]
        const dy2 = tf.reshape(dy, [-1, vocab]) as tf.Tensor2D // [n, vocab]
        return [tf.reshape(tf.matMul(dy2, sw), xShape), tf.matMul(tf.transpose(dy2), sx2)]
      },
    }
  })
  return f(x, w)
}

/**
 * Rows of `table` [rows, d] picked by integer `ids` (any shape) → [...ids.shape, d]. The gradient is a
 * scatter-add (tfjs's own gather gradient needs UnsortedSegmentSum, which tfjs-wasm lacks).
 */
export function embed(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  if (!recording()) return tf.gather(table, ids) // [...ids.shape, d]
  const f = customOp(([tableIn], save) => {
    if (!tableIn) throw new Error('embed: missing input')
    const flatIds = tf.reshape(ids, [-1]) // [n]
    save([flatIds])
    const [rows, d] = tableIn.shape as [number, number]
    return {
      value: tf.reshape(tf.gather(tableIn, flatIds), [...ids.shape, d]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sIds] = saved as [tf.Tensor]
        const n = sIds.shape[0] as number
        return tf.scatterND(tf.reshape(sIds, [n, 1]), tf.reshape(dy, [n, d]), [rows, d]) // [rows, d]; duplicates add
      },
    }
  })
  return f(table)
}
