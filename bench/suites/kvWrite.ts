// How a decoding step can add one position to a layer's KV cache in tfjs, measured on the active backend: growing by
// Concat (the cache before issue 18), writes into a fixed buffer by tf.where or TensorScatterUpdate (each makes a new
// full-size tensor), and the in-place copy into the wasm heap that KvCache uses.
import * as tf from '@tensorflow/tfjs'
import { KvCache } from '../../src/core/model/kvCache.ts'

export interface KvWriteTiming {
  strategy: string
  /** Milliseconds to add one position to every layer's keys and values. */
  msPerToken: number
}

/** GPT-2 small's cache shape at `valid` positions (buffer capacity `cap`), `nLayers` layers, `steps` timed steps. */
export function measureKvWrites(opts: { nLayers: number; nHeads: number; dHead: number; valid: number; cap: number; steps: number }): KvWriteTiming[] {
  const { nLayers, nHeads: h, dHead: dh, valid, cap, steps } = opts
  const d = h * dh
  const time = (f: () => void, n = steps): number => {
    f() // warm-up
    const t0 = performance.now()
    for (let s = 0; s < n; s++) f()
    return (performance.now() - t0) / n
  }
  const kNew = tf.randomNormal([1, h, dh, 1]) // [1, head, dHead, 1]
  const vNew = tf.randomNormal([1, h, 1, dh]) // [1, head, 1, dHead]
  const out: KvWriteTiming[] = []

  const grown = Array.from({ length: nLayers }, () => ({ kT: tf.randomNormal([1, h, dh, valid]), v: tf.randomNormal([1, h, valid, dh]) }))
  out.push({
    strategy: 'Concat (grow by one position)',
    msPerToken: time(() => {
      for (const l of grown) tf.dispose([tf.concat([l.kT, kNew], 3), tf.concat([l.v, vNew], 2)])
    }),
  })
  tf.dispose(grown.flatMap((l) => [l.kT, l.v]))

  const buffers = Array.from({ length: nLayers }, () => ({ kT: tf.zeros([1, h, dh, cap]), v: tf.zeros([1, h, cap, dh]) }))
  const colK = tf.tidy(() => tf.reshape(tf.equal(tf.range(0, cap, 1, 'int32'), valid), [1, 1, 1, cap]))
  const colV = tf.tidy(() => tf.reshape(tf.equal(tf.range(0, cap, 1, 'int32'), valid), [1, 1, cap, 1]))
  // Few steps: tfjs-wasm's broadcasting Select is orders of magnitude slower than the others.
  out.push({
    strategy: 'tf.where into a fixed buffer',
    msPerToken: time(() => {
      for (const l of buffers) tf.dispose([tf.where(colK, kNew, l.kT), tf.where(colV, vNew, l.v)])
    }, Math.min(steps, 2)),
  })
  const idxK = tf.tensor2d(Array.from({ length: h * dh }, (_, i) => [0, Math.floor(i / dh), i % dh, valid]), [h * dh, 4], 'int32')
  const idxV = tf.tensor2d(Array.from({ length: h }, (_, i) => [0, i, valid]), [h, 3], 'int32')
  const kFlat = tf.reshape(kNew, [h * dh])
  const vRows = tf.reshape(vNew, [h, dh])
  out.push({
    strategy: 'TensorScatterUpdate into a fixed buffer',
    msPerToken: time(() => {
      for (const l of buffers) tf.dispose([tf.tensorScatterUpdate(l.kT, idxK, kFlat), tf.tensorScatterUpdate(l.v, idxV, vRows)])
    }),
  })
  tf.dispose([colK, colV, idxK, idxV, kFlat, vRows, ...buffers.flatMap((l) => [l.kT, l.v])])

  if (tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu') {
    const cache = new KvCache({}, 1, nLayers, cap, h, dh, true)
    cache.reserve(valid) // capacity: `valid` rounded up to the chunk
    cache.advance(valid - 1)
    const qkv = tf.randomNormal([1, 1, 3 * d]) // [1, 1, 3d]: one position's fused projection
    out.push({
      strategy: 'in place (wasm heap copy, KvCache)',
      msPerToken: time(() => {
        for (let l = 0; l < nLayers; l++) cache.writeLayer(l, qkv)
      }),
    })
    qkv.dispose()
    cache.dispose()
  }
  tf.dispose([kNew, vNew])
  return out
}
