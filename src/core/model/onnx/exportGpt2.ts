// Writes a GPT-2 (Hugging Face weights, as the tfjs engine holds them) as an ONNX decoder in the transformers.js /
// Optimum layout: inputs input_ids, attention_mask, position_ids and past_key_values.N.key/value; outputs logits and
// present.N.key/value. Opset 17 (LayerNormalization is one op). Written by hand because no JS library exports to ONNX;
// the graph mirrors HF's GPT2 modelling code, so the ONNX engine finds the same residual stream as in a PyTorch export.
// Three dtypes, as transformers.js ships them: fp32 (model.onnx); fp16 (model_fp16.onnx: every float tensor, inputs and
// outputs included, in float16, as onnxconverter-common's conversion without keep_io_types writes it); and the
// dynamically quantized q8/int8 (model_quantized.onnx, model_int8.onnx: each MatMul weight stored in 8 bits, the
// activation quantized per call by DynamicQuantizeLinear and multiplied by MatMulInteger, as onnxruntime's
// quantize_dynamic writes it; uint8 weights for q8, int8 for int8); and q4 (model_q4.onnx: each MatMul with a constant
// weight, the head's included, becomes com.microsoft MatMulNBits with 4-bit codes in blocks of 32 along K, symmetric
// with no zero points, as transformers.js runs onnxruntime's MatMul4BitsQuantizer; embedding tables stay float32).
import { Float16Array } from '@petamoriken/float16'
import { InvalidArgumentError } from '../../errors.ts'
import type { Gpt2Activation } from '../config.ts'
import { encodeOnnx, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnxProto.ts'
import { describeValue } from '../../formats/safeJson.ts'
import { kBlocksOf, quantizeNBits } from './matMulNBits.ts'

export interface Gpt2ExportConfig {
  vocabSize: number
  nCtx: number
  dModel: number
  nLayers: number
  nHeads: number
  layerNormEps: number
  activation: Gpt2Activation
}

type Weights = ReadonlyMap<string, { shape: number[]; data: Float32Array }>

export type ExportDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'q4'
export const EXPORT_DTYPES: readonly ExportDtype[] = ['fp32', 'fp16', 'q8', 'int8', 'q4']

const FLOAT = 1
const UINT8 = 2
const INT8 = 3
const INT64 = 7
const FLOAT16 = 10
const OPSET = 17
const MS_DOMAIN = 'com.microsoft' // onnxruntime's contrib ops (MatMulNBits), opset 1
const Q4_BLOCK = 32 // transformers.js's q4 block size (its quantize script's default)

interface Attr {
  name: string
  type: number
  i?: number
  f?: number
  ints?: number[]
}
const intAttr = (name: string, i: number): Attr => ({ name, type: 2, i })
const floatAttr = (name: string, f: number): Attr => ({ name, type: 1, f })
const intsAttr = (name: string, ints: number[]): Attr => ({ name, type: 7, ints })

class GraphBuilder {
  readonly nodes: (OnnxNode & { attribute?: Attr[] })[] = []
  readonly initializers: OnnxTensor[] = []
  private count = 0

  /** float16 for every float tensor of an fp16 export, else float32. */
  constructor(readonly half: boolean) {}

  get floatType(): number {
    return this.half ? FLOAT16 : FLOAT
  }

  op(opType: string, inputs: string[], attrs: Attr[] = [], name = opType): string {
    const out = `/${name}_${this.count++}`
    this.nodes.push({ opType, input: inputs, output: [out], name: out, attribute: attrs })
    return out
  }

  /** An op with named outputs (Split, or the graph's own outputs). */
  opTo(opType: string, inputs: string[], outputs: string[], attrs: Attr[] = []): void {
    this.nodes.push({ opType, input: inputs, output: outputs, name: `/${opType}_${this.count++}`, attribute: attrs })
  }

  float(name: string, shape: number[], data: Float32Array): string {
    this.initializers.push({ name, dims: shape, dataType: this.floatType, rawData: this.floatBytes(data) })
    return name
  }

  /** x · W as MatMulNBits: W [k, n] in 4-bit blocks along k, stored as onnxruntime's MatMul4BitsQuantizer stores it. */
  matMulNBits(x: string, name: string, [k, n]: number[], data: Float32Array, out: string): void {
    const q = quantizeNBits(data, k!, n!, Q4_BLOCK)
    this.initializers.push({ name: `${name}_Q4`, dims: [n, kBlocksOf(k!, Q4_BLOCK), Q4_BLOCK / 2], dataType: UINT8, rawData: q.packed })
    this.initializers.push({ name: `${name}_scales`, dims: [q.scales.length], dataType: FLOAT, rawData: new Uint8Array(q.scales.buffer) })
    const attrs = [intAttr('K', k!), intAttr('N', n!), intAttr('bits', q.bits), intAttr('block_size', Q4_BLOCK)]
    this.nodes.push({ opType: 'MatMulNBits', domain: MS_DOMAIN, input: [x, `${name}_Q4`, `${name}_scales`], output: [out], name: `/${name}_MatMulNBits_${this.count++}`, attribute: attrs })
  }

  /** 8-bit weights as quantize_dynamic stores them: int8 symmetric (zero point 0) or uint8 asymmetric. */
  quantized(name: string, shape: number[], data: Float32Array, type: typeof UINT8 | typeof INT8): { weight: string; scale: string; zeroPoint: string } {
    let lo = 0
    let hi = 0
    for (const v of data) {
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    const signed = type === INT8
    const scale = signed ? Math.max(-lo, hi) / 127 || 1 : (hi - lo) / 255 || 1
    const zero = signed ? 0 : Math.round(-lo / scale)
    const q = signed ? new Int8Array(data.length) : new Uint8Array(data.length)
    const [min, max] = signed ? [-127, 127] : [0, 255]
    for (let i = 0; i < data.length; i++) q[i] = Math.min(max, Math.max(min, Math.round(data[i]! / scale) + zero))
    this.initializers.push({ name: `${name}_quantized`, dims: shape, dataType: type, rawData: new Uint8Array(q.buffer) })
    this.initializers.push({ name: `${name}_scale`, dims: [], dataType: FLOAT, rawData: new Uint8Array(Float32Array.of(scale).buffer) })
    this.initializers.push({ name: `${name}_zero_point`, dims: [], dataType: type, rawData: Uint8Array.of(signed ? 0 : zero) })
    return { weight: `${name}_quantized`, scale: `${name}_scale`, zeroPoint: `${name}_zero_point` }
  }

  private floatBytes(data: Float32Array): Uint8Array {
    if (this.half) return new Uint8Array(new Float16Array(data).buffer)
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice()
  }

  int64(name: string, values: number[]): string {
    const data = BigInt64Array.from(values.map(BigInt))
    this.initializers.push({ name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(data.buffer) })
    return name
  }

  scalar(name: string, value: number): string {
    this.initializers.push({ name, dims: [], dataType: this.floatType, rawData: this.floatBytes(Float32Array.of(value)) })
    return name
  }
}

const tensorInfo = (name: string, elemType: number, dims: (number | string)[]): OnnxValueInfo => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
})

/** The graph of the whole decoder; `weights` use bare HF names (`wte.weight`, `h.0.attn.c_attn.weight`, …). */
export function gpt2ToOnnx(c: Gpt2ExportConfig, weights: Weights, dtype: ExportDtype = 'fp32'): Uint8Array {
  const { dModel: d, nHeads: h, nLayers } = c
  if (d % h !== 0) throw new InvalidArgumentError(`d_model ${d} is not a multiple of ${h} heads`)
  if (!EXPORT_DTYPES.includes(dtype)) throw new InvalidArgumentError(`Unknown ONNX export dtype ${describeValue(dtype)}: expected ${EXPORT_DTYPES.join(', ')}`)
  const hd = d / h
  const g = new GraphBuilder(dtype === 'fp16')
  const FLOAT_IO = g.floatType
  const tensor = (name: string) => {
    const t = weights.get(name)
    if (!t) throw new InvalidArgumentError(`The model has no ${name}`)
    return t
  }
  const w = (name: string): string => {
    const t = tensor(name)
    return g.float(name, t.shape, t.data)
  }
  /** x · W for a weight [in, out]: MatMul, MatMulNBits in q4, or in q8/int8 DynamicQuantizeLinear → MatMulInteger → rescale. */
  const matmul = (x: string, name: string, shape: number[], data: Float32Array, out?: string): string => {
    const to = (opType: string, inputs: string[], label: string) => {
      if (out === undefined) return g.op(opType, inputs, [], label)
      g.opTo(opType, inputs, [out])
      return out
    }
    if (dtype === 'q4') {
      const result = out ?? `/${name}_MatMulNBits`
      g.matMulNBits(x, name, shape, data, result)
      return result
    }
    if (dtype !== 'q8' && dtype !== 'int8') return to('MatMul', [x, g.float(name, shape, data)], 'MatMul')
    const q = g.quantized(name, shape, data, dtype === 'q8' ? UINT8 : INT8)
    const [xq, xScale, xZero] = [`${x}_quantized`, `${x}_scale`, `${x}_zero_point`]
    g.opTo('DynamicQuantizeLinear', [x], [xq, xScale, xZero])
    const product = g.op('MatMulInteger', [xq, q.weight, xZero, q.zeroPoint], [], `${name}_MatMulInteger`) // int32
    return to('Mul', [g.op('Cast', [product], [intAttr('to', FLOAT)]), g.op('Mul', [xScale, q.scale])], `${name}_rescale`)
  }
  const wte = weights.get('wte.weight')
  if (!wte) throw new InvalidArgumentError('The model has no wte.weight')
  const lmHead = weights.get('lm_head.weight') ?? wte // [vocab, d]
  // The head as its own [d, vocab] matrix (as Optimum exports do), so logits = MatMul(ln_f(x), W).
  const head = new Float32Array(d * c.vocabSize)
  for (let v = 0; v < c.vocabSize; v++) for (let i = 0; i < d; i++) head[i * c.vocabSize + v] = lmHead.data[v * d + i]!

  const shapeBSHD = g.int64('shape_b_s_h_hd', [0, 0, h, hd])
  const shapeBSD = g.int64('shape_b_s_d', [0, 0, d])
  const splitSizes = g.int64('split_qkv', [d, d, d])
  const scale = g.scalar('attn_scale', 1 / Math.sqrt(hd))
  // As the tfjs engine: large and finite, so exp() gives exactly 0; float16's lowest where -1e9 does not fit.
  const masked = g.scalar('attn_masked', g.half ? -65504 : -1e9)
  const half = g.scalar('half', 0.5)
  const one = g.scalar('one', 1)
  const geluC = g.scalar('gelu_c', Math.sqrt(2 / Math.PI))
  const geluK = g.scalar('gelu_k', 0.044715)
  const three = g.scalar('three', 3)
  const invSqrt2 = g.scalar('inv_sqrt2', Math.SQRT1_2)
  const zeroI = g.int64('zero_i64', [0])
  const oneI = g.int64('one_i64', [1])
  const twoI = g.int64('two_i64', [2])

  // Causal mask from shapes, so any past length works: query i (absolute past + i) sees keys 0 … past + i.
  const total = g.op('Squeeze', [g.op('Slice', [g.op('Shape', ['attention_mask']), oneI, twoI]), zeroI], [], 'total_len') // scalar T
  const newLen = g.op('Squeeze', [g.op('Slice', [g.op('Shape', ['input_ids']), oneI, twoI]), zeroI], [], 'new_len') // scalar s
  const past = g.op('Sub', [total, newLen], [], 'past_len')
  const stepI = g.op('Squeeze', [oneI, zeroI])
  const startI = g.op('Squeeze', [zeroI, zeroI])
  const qPos = g.op('Unsqueeze', [g.op('Range', [past, total, stepI]), oneI]) // [s, 1]
  const kPos = g.op('Unsqueeze', [g.op('Range', [startI, total, stepI]), zeroI]) // [1, T]
  const causal = g.op('LessOrEqual', [kPos, qPos], [], 'causal') // [s, T]
  const padOk = g.op('Unsqueeze', [g.op('Cast', ['attention_mask'], [intAttr('to', 9)]), g.int64('axes_1_2', [1, 2])]) // [b, 1, 1, T]
  const allowed = g.op('And', [causal, padOk], [], 'allowed') // [b, 1, s, T]

  /** A table lookup; quantize_dynamic stores the table in 8 bits and dequantizes the rows it gathers. */
  const lookup = (name: string, ids: string, label: string) => {
    if (dtype !== 'q8' && dtype !== 'int8') return g.op('Gather', [w(name), ids], [intAttr('axis', 0)], label)
    const t = tensor(name)
    const q = g.quantized(name, t.shape, t.data, dtype === 'q8' ? UINT8 : INT8)
    return g.op('DequantizeLinear', [g.op('Gather', [q.weight, ids], [intAttr('axis', 0)], label), q.scale, q.zeroPoint], [], `${label}_dequantize`)
  }
  const tok = lookup('wte.weight', 'input_ids', 'wte') // [b, s, d]
  const pos = lookup('wpe.weight', 'position_ids', 'wpe') // [b, s, d]
  let resid = g.op('Add', [tok, pos], [], 'embed') // [b, s, d]

  const layerNorm = (x: string, prefix: string) => g.op('LayerNormalization', [x, w(`${prefix}.weight`), w(`${prefix}.bias`)], [intAttr('axis', -1), floatAttr('epsilon', c.layerNormEps)], prefix)
  const linear = (x: string, prefix: string) => {
    const weight = tensor(`${prefix}.weight`)
    return g.op('Add', [matmul(x, `${prefix}.weight`, weight.shape, weight.data), w(`${prefix}.bias`)], [], prefix)
  }
  const heads = (x: string) => g.op('Transpose', [g.op('Reshape', [x, shapeBSHD])], [intsAttr('perm', [0, 2, 1, 3])]) // [b, h, s, hd]

  for (let l = 0; l < nLayers; l++) {
    const p = `h.${l}`
    const qkv = linear(layerNorm(resid, `${p}.ln_1`), `${p}.attn.c_attn`) // [b, s, 3d]
    const [q, k, v] = [`/${p}/q`, `/${p}/k`, `/${p}/v`]
    g.opTo('Split', [qkv, splitSizes], [q, k, v], [intAttr('axis', -1)])
    const keys = `present.${l}.key`
    const values = `present.${l}.value`
    g.opTo('Concat', [`past_key_values.${l}.key`, heads(k)], [keys], [intAttr('axis', 2)]) // [b, h, T, hd]
    g.opTo('Concat', [`past_key_values.${l}.value`, heads(v)], [values], [intAttr('axis', 2)])
    const scores = g.op('Mul', [g.op('MatMul', [heads(q), g.op('Transpose', [keys], [intsAttr('perm', [0, 1, 3, 2])])]), scale]) // [b, h, s, T]
    const probs = g.op('Softmax', [g.op('Where', [allowed, scores, masked])], [intAttr('axis', -1)])
    const ctx = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, values])], [intsAttr('perm', [0, 2, 1, 3])]), shapeBSD]) // [b, s, d]
    resid = g.op('Add', [resid, linear(ctx, `${p}.attn.c_proj`)], [], `${p}.resid_mid`)
    const pre = linear(layerNorm(resid, `${p}.ln_2`), `${p}.mlp.c_fc`) // [b, s, 4d]
    let act: string
    if (c.activation === 'relu') act = g.op('Relu', [pre])
    else if (c.activation === 'gelu') act = g.op('Mul', [g.op('Mul', [pre, half]), g.op('Add', [one, g.op('Erf', [g.op('Mul', [pre, invSqrt2])])])])
    else {
      const inner = g.op('Mul', [geluC, g.op('Add', [pre, g.op('Mul', [geluK, g.op('Pow', [pre, three])])])])
      act = g.op('Mul', [g.op('Mul', [half, pre]), g.op('Add', [one, g.op('Tanh', [inner])])]) // gelu_new
    }
    resid = g.op('Add', [resid, linear(act, `${p}.mlp.c_proj`)], [], `${p}.resid_post`)
  }
  matmul(layerNorm(resid, 'ln_f'), 'lm_head.weight.T', [d, c.vocabSize], head, 'logits')

  const kvDims = ['batch_size', h, 'past_sequence_length', hd]
  const presentDims = ['batch_size', h, 'total_sequence_length', hd]
  const model: OnnxModel = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: OPSET }, ...(dtype === 'q4' ? [{ domain: MS_DOMAIN, version: 1 }] : [])],
    graph: {
      name: 'monoscope-gpt2',
      node: g.nodes,
      initializer: g.initializers,
      sparseInitializer: [],
      input: [
        tensorInfo('input_ids', INT64, ['batch_size', 'sequence_length']),
        tensorInfo('attention_mask', INT64, ['batch_size', 'total_sequence_length']),
        tensorInfo('position_ids', INT64, ['batch_size', 'sequence_length']),
        ...Array.from({ length: nLayers }, (_, l) => [tensorInfo(`past_key_values.${l}.key`, FLOAT_IO, kvDims), tensorInfo(`past_key_values.${l}.value`, FLOAT_IO, kvDims)]).flat(),
      ],
      output: [
        tensorInfo('logits', FLOAT_IO, ['batch_size', 'sequence_length', c.vocabSize]),
        ...Array.from({ length: nLayers }, (_, l) => [tensorInfo(`present.${l}.key`, FLOAT_IO, presentDims), tensorInfo(`present.${l}.value`, FLOAT_IO, presentDims)]).flat(),
      ],
      valueInfo: [],
    },
    functions: [],
    trainingInfo: [],
  }
  ;(model as OnnxModel & { producerName: string }).producerName = 'monoscope export-onnx'
  return encodeOnnx(model)
}
