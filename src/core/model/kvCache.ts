// Keys and values of positions already processed, so decoding runs only the new positions.
// On the wasm and cpu backends the cache is a preallocated buffer written in place (heapView.ts): attention reads the
// whole buffer and masks the unfilled tail, so a decoding step copies nothing (growing by Concat copied the whole
// cache into a new tensor at every layer of every step). Other backends (WebGPU, WebGL) keep growing by Concat.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import { hasHeapViews, heapView } from './heapView.ts'

export interface LayerKv {
  kT: tf.Tensor4D // [batch, head, dHead, keys]: keys pre-transposed for q @ kT without matMul's slow transpose flag
  v: tf.Tensor4D // [batch, head, keys, dHead]
}

/**
 * The buffer grows in steps of this many positions: attention over the masked tail costs at most this many
 * extra keys per step, and a reallocation (one copy of the cache) comes once per this many generated tokens.
 */
export const KV_CHUNK = 64

/** Made by `HookedGpt2.newKvCache(batch)`; `forward(ids, { kvCache })` appends to it. The caller disposes it. */
export class KvCache {
  /** True where the buffers are written in place (wasm, cpu); false where each pass concatenates. */
  readonly inPlace: boolean
  /** Concat mode: exactly `length` keys per layer. In-place mode: `capacity` keys, of which `length` are valid. */
  private layers: (LayerKv | null)[]
  private len = 0
  private cap = 0
  private disposed = false

  constructor(
    readonly owner: object,
    readonly batch: number,
    private readonly nLayers: number,
    readonly maxLength: number,
    private readonly nHeads: number,
    private readonly dHead: number,
    inPlace: boolean,
  ) {
    if (inPlace && !hasHeapViews()) throw new InvalidArgumentError(`An in-place KV cache needs the wasm or cpu backend, not ${tf.getBackend()}`)
    this.layers = Array.from({ length: nLayers }, () => null)
    this.inPlace = inPlace
  }

  /** Positions held so far: the next forward's position offset. */
  get length(): number {
    return this.len
  }

  /** Keys each layer's buffer holds, valid or not (= length in concat mode). */
  get capacity(): number {
    return this.inPlace ? this.cap : this.len
  }

  get isDisposed(): boolean {
    return this.disposed
  }

  /** For the model, concat mode: the stored keys and values of layer `l`, or null while empty. */
  layer(l: number): LayerKv | null {
    this.assertLive()
    return this.layers[l] ?? null
  }

  /**
   * For the model, in-place mode, before a pass adds `added` positions: grows every buffer (in KV_CHUNK steps, at
   * most to maxLength) so that they fit. Returns the capacity, the key count attention then sees.
   */
  reserve(added: number): number {
    this.assertLive()
    const need = this.len + added
    if (need <= this.cap) return this.cap
    const next = Math.min(this.maxLength, Math.ceil(need / KV_CHUNK) * KV_CHUNK)
    const grow = next - this.cap
    const { batch: b, nHeads: h, dHead: dh } = this
    this.layers = this.layers.map((old) => {
      // keep(): the buffers outlive any tidy a caller may have wrapped around the pass.
      if (old === null) return { kT: tf.keep(tf.zeros([b, h, dh, next])) as tf.Tensor4D, v: tf.keep(tf.zeros([b, h, next, dh])) as tf.Tensor4D }
      const grown = tf.tidy(() => ({
        kT: tf.keep(tf.pad(old.kT, [[0, 0], [0, 0], [0, 0], [0, grow]])) as tf.Tensor4D, // [b, h, dh, next]
        v: tf.keep(tf.pad(old.v, [[0, 0], [0, 0], [0, grow], [0, 0]])) as tf.Tensor4D, // [b, h, next, dh]
      }))
      old.kT.dispose()
      old.v.dispose()
      return grown
    })
    this.cap = next
    return next
  }

  /**
   * For the model, in-place mode: copies the keys and values of `pos` new positions from layer `l`'s fused
   * projection `qkv` [batch, pos, 3·d] (q | k | v, heads in order) into positions length … length+pos−1, and
   * returns the buffers, every one of `capacity` keys (the unfilled ones zero or stale: attention masks them).
   */
  writeLayer(l: number, qkv: tf.Tensor): LayerKv {
    const buf = this.layers[l]
    const src = heapView(qkv)
    if (!buf || !src) throw new InvalidArgumentError('KV cache: no in-place buffer for this layer (reserve first, on a wasm or cpu backend)')
    const kT = heapView(buf.kT)
    const v = heapView(buf.v)
    if (!kT || !v) throw new InvalidArgumentError('KV cache: the buffers are not in CPU memory')
    const { batch: b, nHeads: h, dHead: dh, cap } = this
    const d = h * dh
    const pos = qkv.shape[1] as number
    for (let bi = 0; bi < b; bi++) {
      for (let i = 0; i < pos; i++) {
        const row = (bi * pos + i) * 3 * d // qkv[bi, i, :]
        const t = this.len + i
        for (let hh = 0; hh < h; hh++) {
          const kSrc = row + d + hh * dh
          const kDst = (bi * h + hh) * dh * cap + t // kT[bi, hh, 0, t]; stride cap along dHead
          for (let e = 0; e < dh; e++) kT[kDst + e * cap] = src[kSrc + e] as number
          const vSrc = row + 2 * d + hh * dh
          v.set(src.subarray(vSrc, vSrc + dh), ((bi * h + hh) * cap + t) * dh) // v[bi, hh, t, :]
        }
      }
    }
    return buf
  }

  /** For the model, in-place mode: the pass succeeded, so its `added` written positions become valid. */
  advance(added: number): void {
    this.assertLive()
    this.len += added
  }

  /**
   * For the model, in-place mode: a pass failed after writing; zero what it wrote past `length`, so that masked
   * keys hold finite values (attention multiplies them by an exact 0, and 0 × NaN would not be 0).
   */
  discardPending(): void {
    if (this.disposed || !this.inPlace) return
    for (const buf of this.layers) {
      if (!buf) continue
      const kT = heapView(buf.kT)
      const v = heapView(buf.v)
      if (!kT || !v) continue
      const { cap, dHead: dh } = this
      for (let row = 0; row < kT.length / cap; row++) kT.fill(0, row * cap + this.len, (row + 1) * cap)
      for (let bh = 0; bh < v.length / (cap * dh); bh++) v.fill(0, (bh * cap + this.len) * dh, (bh + 1) * cap * dh)
    }
  }

  /**
   * For the model, concat mode: replaces every layer's tensors (already tf.keep()-ed, holding old and new
   * positions) after a forward pass succeeded, and frees the old ones.
   */
  commit(next: LayerKv[], added: number): void {
    this.assertLive()
    if (next.length !== this.nLayers) throw new InvalidArgumentError('KV cache update has the wrong number of layers')
    for (const old of this.layers) {
      old?.kT.dispose()
      old?.v.dispose()
    }
    this.layers = next
    this.len += added
  }

  dispose(): void {
    if (this.disposed) return
    for (const old of this.layers) {
      old?.kT.dispose()
      old?.v.dispose()
    }
    this.layers = []
    this.disposed = true
  }

  private assertLive(): void {
    if (this.disposed) throw new InvalidArgumentError('This KV cache has been disposed')
  }
}
