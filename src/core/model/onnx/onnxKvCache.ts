// The ONNX engine's KV cache: the graph's `present.N.key/value` outputs of one pass, fed back as
// `past_key_values.N.key/value` on the next. onnxruntime tensors, so decoding never copies them through tfjs.
import type * as OrtWeb from 'onnxruntime-web'
import { InvalidArgumentError } from '../../errors.ts'
import type { ModelKvCache } from '../hookedModel.ts'

export class OnnxKvCache implements ModelKvCache {
  private tensors = new Map<string, OrtWeb.Tensor>() // past name → its tensor [batch, nKv, length, headDim]
  private len = 0
  private disposed = false

  constructor(
    readonly owner: object,
    readonly batch: number,
  ) {}

  get length(): number {
    return this.len
  }

  get isDisposed(): boolean {
    return this.disposed
  }

  /** For the engine: the stored tensor fed as `pastName`, or undefined while empty. */
  past(pastName: string): OrtWeb.Tensor | undefined {
    if (this.disposed) throw new InvalidArgumentError('This KV cache has been disposed')
    return this.tensors.get(pastName)
  }

  /** For the engine: a pass succeeded with `added` new positions; its presents replace the old pasts. */
  commit(next: Map<string, OrtWeb.Tensor>, added: number): void {
    if (this.disposed) throw new InvalidArgumentError('This KV cache has been disposed')
    for (const t of this.tensors.values()) t.dispose?.()
    this.tensors = next
    this.len += added
  }

  dispose(): void {
    if (this.disposed) return
    for (const t of this.tensors.values()) t.dispose?.()
    this.tensors.clear()
    this.disposed = true
  }
}
