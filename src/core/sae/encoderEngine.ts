// The one dense product a sparse SAE step cannot avoid: the encoder forward xc·W_enc + b_enc over every latent (all
// pre-activations are needed to choose the active ones). On tfjs-wasm in Node it runs on one thread at 20–30 GFLOP/s
// and is 63% of a TopK step at (768, 16384); onnxruntime's CPU MatMul runs the same product ~4× faster on one thread
// and ~7× on two (BENCHMARKS.md). An EncoderEngine computes it outside tfjs from plain arrays, and can choose TopK's
// slots there too (onnxruntime's TopK takes 10–17 ms on [1024, 4096–16384] where tfjs-wasm's takes 27–80; choosing
// standard's slots there as well, a TopK as wide as the busiest row, measured no faster, so it stays in tfjs). The
// rest of the step (the sparse kernels, Adam) stays in tfjs. stepPlan.ts calls it; trainers get one with useEncoder().
import { InvalidArgumentError } from '../errors.ts'
import { encodeOnnx, type OnnxModel, type OnnxNode, type OnnxValueInfo } from '../model/onnx/onnxProto.ts'
import { ortRuntime, type Ort } from '../model/onnx/ortRuntime.ts'

/** The slots chosen with the product: TopK's, the k largest pre·norms of each row. */
export interface EncoderSelect {
  kind: 'topk'
  k: number
  norms: Float32Array
}

export interface EncoderOutput {
  /** pre [n, dSae], row-major. */
  pre: Float32Array
  /** The selection, or null without one: [n, width] each, in the same (no particular) order within a row. */
  selected: {
    /** Latent indices. */
    slots: Int32Array
    /** pre·norms at the slots. */
    scores: Float32Array
    /** pre at the slots. */
    pres: Float32Array
    width: number
  } | null
}

export interface EncoderEngine {
  /** What runs it, for logs: 'onnxruntime-node (cpu), 2 threads'. */
  readonly label: string
  /** pre = xc [n, dIn] · w [dIn, dSae] + b [dSae], all row-major float32, and the slots `select` asks for. */
  encode(xc: Float32Array, w: Float32Array, b: Float32Array, n: number, dIn: number, dSae: number, select?: EncoderSelect): Promise<EncoderOutput>
  dispose(): Promise<void>
}

const FLOAT = 1 // TensorProto.DataType
const INT64 = 7
const ATTRIBUTE_INT = 2 // AttributeProto.AttributeType
const OPSET = 17

function value(name: string, dims: string[], elemType = FLOAT): OnnxValueInfo {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } } }
}

function node(opType: string, input: string[], output: string[], ints: Record<string, number> = {}): OnnxNode {
  return { opType, name: output[0]!, input, output, attribute: Object.entries(ints).map(([name, i]) => ({ name, type: ATTRIBUTE_INT, i })) }
}

export type EncoderGraphKind = 'plain' | EncoderSelect['kind']

/** pre = MatMul + Add, every dimension symbolic (one session serves every batch and SAE shape); 'topk' adds TopK of pre·norms, k an input. */
export function encoderGraph(kind: EncoderGraphKind): Uint8Array {
  const inputs = [value('xc', ['n', 'd_in']), value('w', ['d_in', 'd_sae']), value('b', ['d_sae'])]
  const nodes = [node('MatMul', ['xc', 'w'], ['product']), node('Add', ['product', 'b'], ['pre'])]
  const outputs = [value('pre', ['n', 'd_sae'])]
  if (kind === 'topk') {
    const unsorted = { axis: -1, largest: 1, sorted: 0 } // the step's slots need no order
    inputs.push(value('norms', ['d_sae']), value('k', ['one'], INT64))
    nodes.push(
      node('Mul', ['pre', 'norms'], ['score']),
      node('TopK', ['score', 'k'], ['scores', 'slots'], unsorted),
      node('GatherElements', ['pre', 'slots'], ['pres'], { axis: 1 }), // tfjs-wasm's gather of these from [n, dSae] costs ~10 ms
    )
    outputs.push(value('slots', ['n', 'k'], INT64), value('scores', ['n', 'k']), value('pres', ['n', 'k']))
  }
  const model: OnnxModel = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: OPSET }],
    graph: { name: `sae_encoder_${kind}`, node: nodes, initializer: [], sparseInitializer: [], input: inputs, output: outputs, valueInfo: [] },
    functions: [],
    trainingInfo: [],
  }
  return encodeOnnx(model)
}

function expectLength(what: string, array: Float32Array, length: number): void {
  if (array.length !== length) throw new InvalidArgumentError(`The encoder's ${what} needs ${length} values, got ${array.length}`)
}

type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>

/** An EncoderEngine on onnxruntime (onnxruntime-node in Node) with `threads` intra-op threads. */
export async function ortEncoderEngine(threads: number): Promise<EncoderEngine> {
  if (!Number.isInteger(threads) || threads < 1) throw new InvalidArgumentError(`The encoder needs at least one thread, got ${threads}`)
  const { ort, executionProviders, label } = await ortRuntime()
  const sessions = new Map<EncoderGraphKind, Promise<Session>>()
  const session = (kind: EncoderGraphKind): Promise<Session> => {
    let s = sessions.get(kind)
    if (!s) {
      s = ort.InferenceSession.create(encoderGraph(kind), { executionProviders, intraOpNumThreads: threads, interOpNumThreads: 1 })
      sessions.set(kind, s)
    }
    return s
  }
  await session('plain') // fails here, not mid-training, when onnxruntime cannot run
  return {
    label: `${label}, ${threads} thread${threads === 1 ? '' : 's'}`,
    async encode(xc, w, b, n, dIn, dSae, select) {
      expectLength('input', xc, n * dIn)
      expectLength('weights', w, dIn * dSae)
      expectLength('bias', b, dSae)
      const feeds: Record<string, InstanceType<Ort['Tensor']>> = {
        xc: new ort.Tensor('float32', xc, [n, dIn]),
        w: new ort.Tensor('float32', w, [dIn, dSae]),
        b: new ort.Tensor('float32', b, [dSae]),
      }
      if (select?.kind === 'topk') {
        expectLength('norms', select.norms, dSae)
        if (!Number.isInteger(select.k) || select.k < 1 || select.k > dSae) throw new InvalidArgumentError(`The encoder's k must be in 1..${dSae}, got ${select.k}`)
        feeds['norms'] = new ort.Tensor('float32', select.norms, [dSae])
        feeds['k'] = new ort.Tensor('int64', BigInt64Array.of(BigInt(select.k)), [1])
      }
      const out = await (await session(select?.kind ?? 'plain')).run(feeds)
      const pre = out['pre']
      if (!pre || !(pre.data instanceof Float32Array) || pre.data.length !== n * dSae) {
        throw new InvalidArgumentError(`onnxruntime returned no [${n}, ${dSae}] float32 pre-activations`)
      }
      if (!select) return { pre: pre.data, selected: null }
      const [slots, scores, pres] = [out['slots'], out['scores'], out['pres']]
      const width = slots?.dims.length === 2 ? slots.dims[1]! : -1
      const floats = (t: typeof scores) => t && t.data instanceof Float32Array && t.data.length === n * width
      if (!slots || !(slots.data instanceof BigInt64Array) || slots.dims[0] !== n || width !== select.k || !floats(scores) || !floats(pres)) {
        throw new InvalidArgumentError(`onnxruntime returned no [${n}, ${select.k}] selection`)
      }
      return { pre: pre.data, selected: { slots: Int32Array.from(slots.data, Number), scores: scores!.data as Float32Array, pres: pres!.data as Float32Array, width } }
    },
    async dispose() {
      await Promise.all([...sessions.values()].map(async (s) => (await s).release()))
    },
  }
}
