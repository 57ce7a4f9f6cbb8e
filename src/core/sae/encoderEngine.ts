// The one dense product a sparse SAE step cannot avoid: the encoder forward xc·W_enc + b_enc over every latent (all
// pre-activations are needed to choose the active ones). On tfjs-wasm in Node it runs on one thread at 20–30 GFLOP/s
// and is 63% of a TopK step at (768, 16384); onnxruntime's CPU MatMul runs the same product ~4× faster on one thread
// and ~7× on two (BENCHMARKS.md). An EncoderEngine computes it outside tfjs from plain arrays; the rest of the step
// (selection, the sparse kernels, Adam) stays in tfjs. stepPlan.ts calls it; trainers get one with useEncoder().
import { InvalidArgumentError } from '../errors.ts'
import { encodeOnnx, type OnnxModel, type OnnxValueInfo } from '../model/onnx/onnxProto.ts'
import { ortRuntime } from '../model/onnx/ortRuntime.ts'

export interface EncoderEngine {
  /** What runs it, for logs: 'onnxruntime-node (cpu), 2 threads'. */
  readonly label: string
  /** pre [n, dSae] = xc [n, dIn] · w [dIn, dSae] + b [dSae], all row-major float32. */
  encode(xc: Float32Array, w: Float32Array, b: Float32Array, n: number, dIn: number, dSae: number): Promise<Float32Array>
  dispose(): Promise<void>
}

const FLOAT = 1 // TensorProto.DataType.FLOAT
const OPSET = 17

function input(name: string, dims: string[]): OnnxValueInfo {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } } }
}

/** MatMul then Add, every dimension symbolic: one graph serves every batch and SAE shape. */
export function encoderGraph(): Uint8Array {
  const model: OnnxModel = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'sae_encoder_forward',
      node: [
        { input: ['xc', 'w'], output: ['product'], opType: 'MatMul', name: 'product' },
        { input: ['product', 'b'], output: ['pre'], opType: 'Add', name: 'bias' },
      ],
      initializer: [],
      sparseInitializer: [],
      input: [input('xc', ['n', 'd_in']), input('w', ['d_in', 'd_sae']), input('b', ['d_sae'])],
      output: [input('pre', ['n', 'd_sae'])],
      valueInfo: [],
    },
    functions: [],
    trainingInfo: [],
  }
  return encodeOnnx(model)
}

function expectLength(what: string, array: Float32Array, length: number): void {
  if (array.length !== length) throw new InvalidArgumentError(`The encoder's ${what} needs ${length} values, got ${array.length}`)
}

/** An EncoderEngine on onnxruntime (onnxruntime-node in Node) with `threads` intra-op threads. */
export async function ortEncoderEngine(threads: number): Promise<EncoderEngine> {
  if (!Number.isInteger(threads) || threads < 1) throw new InvalidArgumentError(`The encoder needs at least one thread, got ${threads}`)
  const { ort, executionProviders, label } = await ortRuntime()
  const session = await ort.InferenceSession.create(encoderGraph(), { executionProviders, intraOpNumThreads: threads, interOpNumThreads: 1 })
  return {
    label: `${label}, ${threads} thread${threads === 1 ? '' : 's'}`,
    async encode(xc, w, b, n, dIn, dSae) {
      expectLength('input', xc, n * dIn)
      expectLength('weights', w, dIn * dSae)
      expectLength('bias', b, dSae)
      const out = await session.run({
        xc: new ort.Tensor('float32', xc, [n, dIn]),
        w: new ort.Tensor('float32', w, [dIn, dSae]),
        b: new ort.Tensor('float32', b, [dSae]),
      })
      const pre = out['pre']
      if (!pre || !(pre.data instanceof Float32Array) || pre.data.length !== n * dSae) {
        throw new InvalidArgumentError(`onnxruntime returned no [${n}, ${dSae}] float32 pre-activations`)
      }
      return pre.data
    },
    async dispose() {
      await session.release()
    },
  }
}
