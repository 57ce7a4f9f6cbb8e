// Splits an ONNX graph at hook tensors into consecutive segments, so a hook can replace a tensor between two
// onnxruntime sessions: segment i computes what it can from the graph inputs, the hooked values of the cuts before
// it and what earlier segments hand on; a cut's consumers all sit after it. Only the nodes the requested outputs
// need are kept (a pass for layer-2 activations never runs layer 3: TransformerLens's stop_at_layer).
import { InvalidArgumentError } from '../../errors.ts'
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxValueInfo } from './onnxProto.ts'
import type { GraphIndex } from './residualStream.ts'

export interface SegmentPlan {
  /** Node indices of each segment, in graph order. */
  nodes: number[][]
  /** Tensors each segment reads from outside itself (graph inputs, hooked cuts, earlier segments' outputs). */
  inputs: string[][]
  /** Tensors each segment hands out (requested outputs, raw cut values, tensors later segments read). */
  outputs: string[][]
}

/** Indices of the nodes that `targets` depend on, found by walking back from them. */
function neededNodes(graph: OnnxGraph, index: GraphIndex, targets: readonly string[]): Set<number> {
  const needed = new Set<number>()
  const stack = [...targets]
  while (stack.length > 0) {
    const t = stack.pop()!
    const p = index.producer.get(t)
    if (p === undefined || needed.has(p)) continue
    needed.add(p)
    for (const input of graph.node[p]!.input) if (input) stack.push(input)
  }
  return needed
}

/**
 * Plans segments for `cuts` (hooked tensors, in graph order) and `targets` (graph outputs and raw hook values the
 * caller wants). With no cuts there is one segment.
 */
export function planSegments(graph: OnnxGraph, index: GraphIndex, cuts: readonly string[], targets: readonly string[]): SegmentPlan {
  for (const c of cuts) if (!index.producer.has(c)) throw new InvalidArgumentError(`Tensor "${c}" is not made by any node of this graph`)
  const cutLevel = new Map(cuts.map((c, i) => [c, i + 1]))
  const needed = neededNodes(graph, index, [...targets, ...cuts])
  const segOf = new Map<number, number>()
  const level = (t: string): number => {
    const cut = cutLevel.get(t)
    if (cut !== undefined) return cut // a cut's readers see the hooked value, available from segment `cut` on
    const p = index.producer.get(t)
    return p === undefined ? 0 : segOf.get(p) ?? 0
  }
  for (let i = 0; i < graph.node.length; i++) {
    if (!needed.has(i)) continue
    segOf.set(i, Math.max(0, ...graph.node[i]!.input.filter(Boolean).map(level)))
  }
  const count = cuts.length + 1
  const nodes: number[][] = Array.from({ length: count }, () => [])
  for (const [i, s] of [...segOf].sort((a, b) => a[0] - b[0])) nodes[s]!.push(i)
  cuts.forEach((c, i) => {
    const s = segOf.get(index.producer.get(c)!)!
    if (s > i) throw new InvalidArgumentError(`Hook tensors must be given in graph order ("${c}" depends on a later cut)`)
  })

  const wanted = new Set([...targets, ...cuts])
  const inputs: string[][] = []
  const outputs: string[][] = []
  for (let s = 0; s < count; s++) {
    const own = new Set(nodes[s]!.flatMap((i) => graph.node[i]!.output))
    const ins = new Set<string>()
    for (const i of nodes[s]!) {
      for (const t of graph.node[i]!.input) {
        if (!t || index.initializers.has(t)) continue
        if (!own.has(t) || cutLevel.has(t)) ins.add(t)
      }
    }
    inputs.push([...ins])
    const outs = new Set<string>()
    for (const t of own) {
      if (wanted.has(t)) outs.add(t)
      else if ((index.consumers.get(t) ?? []).some((c) => needed.has(c) && segOf.get(c)! > s)) outs.add(t)
    }
    outputs.push([...outs])
  }
  return { nodes, inputs, outputs }
}

/** One segment as a model of its own: its nodes, the initializers they read, typed inputs, untyped outputs. */
export function segmentModel(model: OnnxModel, plan: SegmentPlan, s: number, elemType: (tensor: string) => number): OnnxModel {
  const g = model.graph
  const nodes: OnnxNode[] = plan.nodes[s]!.map((i) => g.node[i]!)
  const reads = new Set(nodes.flatMap((n) => n.input))
  const graphInputs = new Map(g.input.map((v) => [v.name, v]))
  const input: OnnxValueInfo[] = plan.inputs[s]!.map((name) => graphInputs.get(name) ?? { name, type: { tensorType: { elemType: elemType(name) } } })
  const graph: OnnxGraph = {
    ...g,
    node: nodes,
    initializer: g.initializer.filter((t) => reads.has(t.name)),
    sparseInitializer: [],
    input,
    output: plan.outputs[s]!.map((name) => g.output.find((o) => o.name === name) ?? { name }),
    valueInfo: g.valueInfo.filter((v) => reads.has(v.name)),
  }
  return { ...model, graph }
}
