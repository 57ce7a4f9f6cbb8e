// float16 ⇄ float32 for ONNX tensors: an fp16 export's logits, KV cache and hook tensors are float16, which
// onnxruntime hands over as raw 16-bit words (Uint16Array) where the platform has no Float16Array. Hooks, SAEs and
// sampling work in float32, so values cross here; @petamoriken/float16 does the rounding (IEEE round-to-nearest-even).
import { Float16Array } from '@petamoriken/float16'

/** float16 bits (or a native Float16Array) → float32 values. */
export function halfToFloat(data: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; length: number }): Float32Array {
  if (data instanceof Uint16Array) return Float32Array.from(new Float16Array(data.buffer, data.byteOffset, data.length))
  return Float32Array.from(data as ArrayLike<number>) // a native Float16Array already reads as numbers
}

/** float32 values → float16 bits, as onnxruntime takes a 'float16' tensor's data. */
export function floatToHalf(data: ArrayLike<number>): Uint16Array {
  const half = new Float16Array(data)
  return new Uint16Array(half.buffer, half.byteOffset, half.length)
}
