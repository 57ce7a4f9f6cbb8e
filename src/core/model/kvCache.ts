// Keys and values of positions already processed, so decoding runs only the new positions.
import type * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'

export interface LayerKv {
  kT: tf.Tensor4D // [batch, head, dHead, pos]: keys pre-transposed for q @ kT without matMul's slow transpose flag
  v: tf.Tensor4D // [batch, head, pos, dHead]
}

/** Made by `HookedGpt2.newKvCache(batch)`; `forward(ids, { kvCache })` appends to it. The caller disposes it. */
export class KvCache {
  private layers: (LayerKv | null)[]
  private len = 0
  private disposed = false

  constructor(
    readonly owner: object,
    readonly batch: number,
    nLayers: number,
    readonly maxLength: number,
  ) {
    this.layers = Array.from({ length: nLayers }, () => null)
  }

  /** Positions held so far: the next forward's position offset. */
  get length(): number {
    return this.len
  }

  get isDisposed(): boolean {
    return this.disposed
  }

  /** For the model: the stored keys and values of layer `l`, or null while empty. */
  layer(l: number): LayerKv | null {
    this.assertLive()
    return this.layers[l] ?? null
  }

  /**
   * For the model: replaces every layer's tensors (already tf.keep()-ed, holding old and new positions)
   * after a forward pass succeeded, and frees the old ones.
   */
  commit(next: LayerKv[], added: number): void {
    this.assertLive()
    if (next.length !== this.layers.length) throw new InvalidArgumentError('KV cache update has the wrong number of layers')
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
