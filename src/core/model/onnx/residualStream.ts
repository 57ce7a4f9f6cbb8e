// TransformerLens hook points found on an ONNX decoder graph by its structure, never by node names (exporters
// name nodes differently): the token embedding is the Gather on a [vocab, d_model] table; each residual tensor is
// consumed by exactly one Add whose other input is computed (a block's branch), and that Add's output is the next
// residual; the final norm's output is the matrix input of the MatMul/Gemm that makes `logits`. Dynamically quantized
// exports (onnxruntime's quantize_dynamic, transformers.js's model_quantized.onnx) are read through their patterns:
// a Gather on an 8-bit table followed by DequantizeLinear, and DynamicQuantizeLinear → MatMulInteger → Cast → Mul;
// 4-bit exports (MatMul4BitsQuantizer, model_q4.onnx) replace each weight MatMul by one com.microsoft MatMulNBits
// on the same float input, so their stream is found as a float graph's, the head's matmul being a MatMulNBits.
import { ModelWeightsError } from '../../errors.ts'
import { hookName, type HookName } from '../hookNames.ts'
import { int64, type OnnxGraph } from './onnxProto.ts'

export interface GraphIndex {
  producer: Map<string, number> // tensor → index of the node that outputs it
  consumers: Map<string, number[]> // tensor → nodes that read it, in graph order
  initializers: Map<string, number[]> // name → dims
  constants: Set<string> // outputs of Constant nodes
}

export function indexGraph(graph: OnnxGraph): GraphIndex {
  const producer = new Map<string, number>()
  const consumers = new Map<string, number[]>()
  const constants = new Set<string>()
  graph.node.forEach((node, i) => {
    for (const out of node.output) if (out) producer.set(out, i)
    if (node.opType === 'Constant') for (const out of node.output) constants.add(out)
    for (const input of node.input) {
      if (!input) continue
      const list = consumers.get(input)
      if (list) list.push(i)
      else consumers.set(input, [i])
    }
  })
  const initializers = new Map(graph.initializer.map((t) => [t.name, t.dims.map(int64)]))
  return { producer, consumers, initializers, constants }
}

export interface ResidualLayout {
  /** The graph tensor behind each hook this model offers. */
  tensors: Map<HookName, string>
  /** True for GPT-NeoX-style blocks (x + attn(ln1 x) + mlp(ln2 x)): there is no hook_resid_mid. */
  parallel: boolean
}

const computed = (index: GraphIndex, t: string): boolean => !index.initializers.has(t) && !index.constants.has(t)

/** A table lookup's float output: the Gather's, or the DequantizeLinear's that reads it in a quantized export. */
function dequantized(graph: OnnxGraph, index: GraphIndex, t: string): string {
  const readers = index.consumers.get(t) ?? []
  const only = readers.length === 1 ? graph.node[readers[0]!]! : null
  return only?.opType === 'DequantizeLinear' && only.input[0] === t ? only.output[0]! : t
}

/** The Gather that embeds tokens: its table is a [vocab, dModel] initializer (the first one, in graph order). */
function tokenEmbedding(graph: OnnxGraph, index: GraphIndex, vocab: number, dModel: number): string {
  for (const node of graph.node) {
    if (node.opType !== 'Gather') continue
    const dims = index.initializers.get(node.input[0] ?? '')
    if (dims && dims.length === 2 && dims[0] === vocab && dims[1] === dModel) return dequantized(graph, index, node.output[0]!)
  }
  if (graph.node.some((n) => n.opType === 'GatherBlockQuantized')) throw new ModelWeightsError('No token embedding found: this export stores its embedding table in 4 bits (GatherBlockQuantized), which Monoscope does not read; use a file whose tables stay float (q4 files from the default MatMul4BitsQuantizer do)')
  throw new ModelWeightsError(`No token embedding found: no Gather reads a [${vocab}, ${dModel}] table (is vocab_size/hidden_size in config.json right?)`)
}

/** The one Add that carries residual `t` on: its other input is computed, not a constant. */
function nextResidual(graph: OnnxGraph, index: GraphIndex, t: string): { add: string; other: string } | null {
  const adds = (index.consumers.get(t) ?? [])
    .map((i) => graph.node[i]!)
    .filter((n) => n.opType === 'Add' && n.input.length === 2 && n.input.every((x) => computed(index, x)))
  if (adds.length !== 1) return null
  const add = adds[0]!
  return { add: add.output[0]!, other: add.input[0] === t ? add.input[1]! : add.input[0]! }
}

/** Whether tensor t is a Gather on a 2-D initializer (a position-embedding table). */
function isTableLookup(graph: OnnxGraph, index: GraphIndex, t: string): boolean {
  let p = index.producer.get(t)
  if (p !== undefined && graph.node[p]!.opType === 'DequantizeLinear') p = index.producer.get(graph.node[p]!.input[0] ?? '')
  if (p === undefined) return false
  const node = graph.node[p]!
  return node.opType === 'Gather' && index.initializers.get(node.input[0] ?? '')?.length === 2
}

const opOf = (graph: OnnxGraph, index: GraphIndex, t: string): string | undefined => {
  const p = index.producer.get(t)
  return p === undefined ? undefined : graph.node[p]!.opType
}

/**
 * The node of the head's matmul: walks back from `logits` through single-input ops (and a quantized export's
 * rescaling Mul, along its Cast of the integer product) to a MatMul, Gemm, MatMulInteger or MatMulNBits.
 */
export function headMatmul(graph: OnnxGraph, index: GraphIndex, logits: string): OnnxGraph['node'][number] | null {
  let t = logits
  for (let steps = 0; steps < 8; steps++) {
    const p = index.producer.get(t)
    if (p === undefined) break
    const node = graph.node[p]!
    if (node.opType === 'MatMul' || node.opType === 'Gemm' || node.opType === 'MatMulInteger' || node.opType === 'MatMulNBits') return node
    const inputs = node.input.filter((x) => x && computed(index, x))
    const next = inputs.length === 1 ? inputs[0] : inputs.find((x) => opOf(graph, index, x) === 'MatMulInteger' || (opOf(graph, index, x) === 'Cast' && opOf(graph, index, graph.node[index.producer.get(x)!]!.input[0] ?? '') === 'MatMulInteger'))
    if (next === undefined) break
    t = next
  }
  return null
}

/** The input of the head's matmul: the final norm's output (before a quantized export's DynamicQuantizeLinear). */
function finalNormalized(graph: OnnxGraph, index: GraphIndex, logits: string): string {
  const node = headMatmul(graph, index, logits)
  if (node?.opType === 'MatMulInteger') {
    const q = index.producer.get(node.input[0] ?? '')
    if (q !== undefined && graph.node[q]!.opType === 'DynamicQuantizeLinear') return graph.node[q]!.input[0]!
  } else if (node) return node.input[0]!
  throw new ModelWeightsError('No unembedding found: "logits" is not made by a MatMul, Gemm, MatMulInteger or MatMulNBits on the final norm')
}

/**
 * Gemma's residual stream starts at the embedding times √d_model: when the lookup's only reader is a Mul by a constant
 * (an initializer or Constant node), the stream (and hook_embed, as TransformerLens defines it) is that product.
 */
function scaledEmbedding(graph: OnnxGraph, index: GraphIndex, t: string): string {
  const readers = index.consumers.get(t) ?? []
  const only = readers.length === 1 ? graph.node[readers[0]!]! : null
  if (only?.opType !== 'Mul' || only.input.length !== 2) return t
  const other = only.input[0] === t ? only.input[1]! : only.input[0]!
  return computed(index, other) ? t : only.output[0]!
}

export function findResidualStream(graph: OnnxGraph, index: GraphIndex, shape: { vocab: number; dModel: number; nLayers: number }): ResidualLayout {
  const tensors = new Map<HookName, string>()
  const embed = scaledEmbedding(graph, index, tokenEmbedding(graph, index, shape.vocab, shape.dModel))
  tensors.set(hookName.embed(), embed)
  let first = embed
  const start = nextResidual(graph, index, embed)
  if (start && isTableLookup(graph, index, start.other)) {
    // GPT-2: resid_pre 0 = token embedding + position embedding.
    tensors.set(hookName.posEmbed(), start.other)
    first = start.add
  }
  const chain = [first]
  for (let step = nextResidual(graph, index, first); step; step = nextResidual(graph, index, chain.at(-1)!)) {
    chain.push(step.add)
    if (chain.length > 2 * shape.nLayers + 1) break
  }
  const adds = chain.length - 1
  const parallel = adds === shape.nLayers
  if (adds !== 2 * shape.nLayers && !parallel) {
    throw new ModelWeightsError(`Found ${adds} residual additions after the embedding; a ${shape.nLayers}-layer decoder has ${2 * shape.nLayers} (or ${shape.nLayers} with parallel blocks)`)
  }
  const per = parallel ? 1 : 2
  for (let l = 0; l < shape.nLayers; l++) {
    tensors.set(hookName.residPre(l), chain[l * per]!)
    if (!parallel) tensors.set(hookName.residMid(l), chain[l * per + 1]!)
    tensors.set(hookName.residPost(l), chain[(l + 1) * per]!)
  }
  const logits = graph.output.find((o) => o.name === 'logits')?.name ?? graph.output[0]?.name
  if (!logits) throw new ModelWeightsError('The graph has no outputs')
  tensors.set(hookName.lnFinalNormalized(), finalNormalized(graph, index, logits))
  return { tensors, parallel }
}
