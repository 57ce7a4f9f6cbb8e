// Nearest features by decoder cosine similarity, within one SAE and across other SAEs on the same hook
// (feature splitting: a small SAE's feature and its children in a larger one point the same way).
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import { checkpoint, throwIfAborted } from './cancel.ts'

/** Rows scaled to unit norm; zero rows (dead or pruned features) stay zero, so their cosines are 0. */
export function unitRows(w: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.divNoNan(w, tf.norm(w, 'euclidean', 1, true))) // [n, d]
}

export interface CosineTopK {
  k: number
  nQueries: number
  indices: Int32Array // [nQueries·k], most similar first
  cosines: Float32Array // [nQueries·k]
}

export interface CosineTopKOptions {
  k: number
  /** Queries and keys are the same rows: leave each row out of its own list. */
  excludeSelf?: boolean
  /** Query rows per matmul; default keeps a chunk's similarities near 4M floats (16 MB). */
  chunkSize?: number
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
}

/**
 * The k keys most cosine-similar to each query. queries [n, d] and keys [m, d] must already be unit rows
 * (unitRows); neither is disposed. k is clamped to the keys available (m, or m − 1 when excluding self).
 */
export async function cosineTopK(queries: tf.Tensor2D, keys: tf.Tensor2D, opts: CosineTopKOptions): Promise<CosineTopK> {
  const [n, d] = queries.shape
  const [m, dk] = keys.shape
  if (d !== dk) throw new InvalidArgumentError(`Cannot compare ${d}-wide decoder rows with ${dk}-wide ones`)
  const self = opts.excludeSelf ?? false
  if (self && n !== m) throw new InvalidArgumentError('excludeSelf needs queries and keys to be the same rows')
  if (!Number.isInteger(opts.k) || opts.k < 0) throw new InvalidArgumentError(`k must be a non-negative integer, got ${opts.k}`)
  const k = Math.min(opts.k, self ? m - 1 : m)
  const out: CosineTopK = { k: Math.max(0, k), nQueries: n, indices: new Int32Array(n * Math.max(0, k)), cosines: new Float32Array(n * Math.max(0, k)) }
  if (k <= 0) return out
  throwIfAborted(opts.signal)
  // One more than needed when excluding self: the row itself is among its top k + 1 unless k + 1 exact duplicates tie.
  const take = self ? k + 1 : k
  const chunk = opts.chunkSize ?? Math.max(1, Math.floor(4_194_304 / m))
  const keysT = tf.tidy(() => tf.transpose(keys)) as tf.Tensor2D // [d, m]: explicit, transposeB is slow on tfjs-wasm
  try {
    for (let q0 = 0; q0 < n; q0 += chunk) {
      const rows = Math.min(chunk, n - q0)
      const { values, indices } = tf.tidy(() => tf.topk(tf.matMul(tf.slice(queries, [q0, 0], [rows, d]), keysT), take)) // [rows, take]
      let vals: Float32Array
      let ids: Int32Array
      try {
        ;[vals, ids] = (await Promise.all([values.data(), indices.data()])) as [Float32Array, Int32Array]
      } finally {
        tf.dispose([values, indices])
      }
      for (let r = 0; r < rows; r++) {
        const q = q0 + r
        let w = 0
        for (let t = 0; t < take && w < k; t++) {
          const id = ids[r * take + t]!
          if (self && id === q) continue
          out.indices[q * k + w] = id
          out.cosines[q * k + w] = vals[r * take + t]!
          w++
        }
      }
      opts.onProgress?.(Math.min(n, q0 + rows) / n)
      await checkpoint(opts.signal)
    }
  } finally {
    keysT.dispose()
  }
  return out
}

export interface DecoderSet {
  id: string
  wDec: tf.Tensor2D // [dSae, dIn]; not disposed here
}

export interface NeighbourList extends CosineTopK {
  /** The SAE the neighbour indices point into. */
  saeId: string
}

/** Neighbours of `sae`'s features within itself (self excluded) and in each of `others`, in that order. */
export async function decoderNeighbours(
  sae: DecoderSet,
  others: readonly DecoderSet[],
  opts: { k: number; onProgress?: (fraction: number) => void; signal?: AbortSignal },
): Promise<NeighbourList[]> {
  const dIn = sae.wDec.shape[1]
  for (const o of others) {
    if (o.wDec.shape[1] !== dIn) throw new InvalidArgumentError(`SAE ${o.id} reads ${o.wDec.shape[1]}-wide vectors, ${sae.id} ${dIn}-wide: neighbours need SAEs on the same hook`)
  }
  const targets = [sae, ...others]
  const queries = unitRows(sae.wDec)
  const out: NeighbourList[] = []
  try {
    for (let t = 0; t < targets.length; t++) {
      const target = targets[t]!
      const keys = t === 0 ? queries : unitRows(target.wDec)
      try {
        const onProgress = opts.onProgress && ((f: number) => opts.onProgress!((t + f) / targets.length))
        out.push({ saeId: target.id, ...(await cosineTopK(queries, keys, { k: opts.k, excludeSelf: t === 0, onProgress, signal: opts.signal })) })
      } finally {
        if (keys !== queries) keys.dispose()
      }
    }
  } finally {
    queries.dispose()
  }
  return out
}
