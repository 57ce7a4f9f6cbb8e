// Writable float32 views of a tensor's storage on the backends that keep it in CPU memory (the wasm heap, the cpu
// backend's arrays). tfjs has no in-place write op; the KV cache uses these views to write new keys and values
// into its preallocated buffers without a kernel, where the alternatives (Concat, a scatter) copy the whole cache.
import * as tf from '@tensorflow/tfjs'

interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined }
  wasm: { HEAPU8: Uint8Array }
}
interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } | undefined }
}

/** Whether the active backend offers heapView (tensors in CPU memory, kernels run synchronously). */
export function hasHeapViews(): boolean {
  const name = tf.getBackend()
  return name === 'wasm' || name === 'cpu'
}

/**
 * The tensor's float32 elements as a live view (writes change the tensor), or null on backends without one.
 * Only for tensors that nothing else shares: a write is seen by every tensor with the same dataId (e.g. a reshape).
 * A wasm view is invalidated when the heap grows: take a fresh one for each use, never keep it.
 */
export function heapView(t: tf.Tensor): Float32Array | null {
  if (t.dtype !== 'float32') return null
  const name = tf.getBackend()
  if (name === 'wasm') {
    const backend = tf.backend() as unknown as WasmBackendLike
    const entry = backend.dataIdMap.get(t.dataId)
    if (!entry) return null
    // Read the buffer each time: growing the heap replaces it.
    return new Float32Array(backend.wasm.HEAPU8.buffer, entry.memoryOffset, t.size)
  }
  if (name === 'cpu') {
    const values = (tf.backend() as unknown as CpuBackendLike).data.get(t.dataId)?.values
    return values instanceof Float32Array && values.length === t.size ? values : null
  }
  return null
}
