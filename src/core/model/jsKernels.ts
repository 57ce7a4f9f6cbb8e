// LayerNorm as one kernel on the backends whose tensors live in CPU memory (wasm heap, cpu arrays), for passes that
// record no gradient. Written as nine tfjs ops it is nine kernel dispatches, and a one-token decoding step of GPT-2
// small runs 25 LayerNorms: 225 of its ~520 kernels, each costing more in dispatch than in arithmetic on 768 floats.
// A plain loop over the rows (in Float64) is one dispatch. Registered with tf.registerKernel, the public way.
import * as tf from '@tensorflow/tfjs'

export const LAYER_NORM_KERNEL = 'MonoscopeLayerNorm'

interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number } }
  wasm: { HEAPU8: Uint8Array }
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo
}
interface CpuBackendLike {
  data: { get(dataId: object): { values: unknown } }
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo
}

/** out[r, :] = (x[r, :] − mean) / sqrt(var + eps) · w + b for every row r of `d` elements. */
function normRows(x: Float32Array, w: Float32Array, b: Float32Array, out: Float32Array, d: number, eps: number): void {
  for (let start = 0; start < x.length; start += d) {
    let sum = 0
    for (let i = 0; i < d; i++) sum += x[start + i] as number
    const mean = sum / d
    let sq = 0
    for (let i = 0; i < d; i++) {
      const c = (x[start + i] as number) - mean
      sq += c * c
    }
    const rstd = 1 / Math.sqrt(sq / d + eps)
    for (let i = 0; i < d; i++) out[start + i] = ((x[start + i] as number) - mean) * rstd * (w[i] as number) + (b[i] as number)
  }
}

let registered = false

function register(): void {
  if (registered) return
  registered = true
  tf.registerKernel({
    kernelName: LAYER_NORM_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, weight, bias } = inputs as { x: tf.TensorInfo; weight: tf.TensorInfo; bias: tf.TensorInfo }
      const be = backend as unknown as WasmBackendLike
      const out = be.makeOutput(x.shape, 'float32') // allocate first: it may grow the heap and detach older views
      const view = (t: tf.TensorInfo, n: number): Float32Array => new Float32Array(be.wasm.HEAPU8.buffer, be.dataIdMap.get(t.dataId).memoryOffset, n)
      const d = x.shape.at(-1) as number
      const n = x.shape.reduce((a, s) => a * s, 1)
      normRows(view(x, n), view(weight, d), view(bias, d), view(out, n), d, (attrs as { eps: number }).eps)
      return out
    },
  })
  tf.registerKernel({
    kernelName: LAYER_NORM_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, weight, bias } = inputs as { x: tf.TensorInfo; weight: tf.TensorInfo; bias: tf.TensorInfo }
      const be = backend as unknown as CpuBackendLike
      const values = (t: tf.TensorInfo): Float32Array => be.data.get(t.dataId).values as Float32Array
      const xs = values(x)
      const out = new Float32Array(xs.length)
      normRows(xs, values(weight), values(bias), out, x.shape.at(-1) as number, (attrs as { eps: number }).eps)
      return be.makeTensorInfo(x.shape, 'float32', out)
    },
  })
}

/** LayerNorm over the last axis as one kernel, or null where it does not apply (another backend, or a gradient tape). */
export function layerNormKernel(x: tf.Tensor, weight: tf.Tensor1D, bias: tf.Tensor1D, eps: number): tf.Tensor | null {
  const backend = tf.getBackend()
  if ((backend !== 'wasm' && backend !== 'cpu') || x.dtype !== 'float32' || tf.engine().isTapeOn()) return null
  register()
  return tf.engine().runKernel(LAYER_NORM_KERNEL, { x, weight, bias }, { eps }) as tf.Tensor
}
