// The ONNX engine behind the HookedModel interface: a decoder exported in the transformers.js / Optimum layout
// run by onnxruntime. Reading a hook adds its tensor as an output; writing one splits the graph there into
// sessions run in turn (segments.ts), the hook applied on tfjs tensors in between; the KV cache crosses them all.
import * as tf from '@tensorflow/tfjs'
import type * as OrtWeb from 'onnxruntime-web'
import { HookNameError, InvalidArgumentError, ModelWeightsError } from '../../errors.ts'
import type { DifferentiableModel, EngineInfo, HookedModel, ModelForwardOptions, ModelKvCache, ModelSummary, Unembedding } from '../hookedModel.ts'
import { allHookNames, type HookName } from '../hookNames.ts'
import { HookRunner, type Hooks } from '../hooks.ts'
import type { DecoderConfig } from './decoderConfig.ts'
import { floatToHalf, halfToFloat } from './halfFloat.ts'
import { OnnxKvCache } from './onnxKvCache.ts'
import { dequantizeNBits, readNBitsWeight } from './matMulNBits.ts'
import { encodeOnnx, int64, type OnnxModel } from './onnxProto.ts'
import { describeValue } from '../../formats/safeJson.ts'
import type { OrtRuntime } from './ortRuntime.ts'
import { findResidualStream, headMatmul, indexGraph, type GraphIndex, type ResidualLayout } from './residualStream.ts'
import { planSegments, segmentModel, type SegmentPlan } from './segments.ts'

type OrtTensor = OrtWeb.Tensor
type Session = OrtWeb.InferenceSession

const FLOAT = 1
const UINT8 = 2
const INT8 = 3
const FLOAT16 = 10
const ORT_ELEM_TYPES: Record<string, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11 }

interface Plan {
  plan: SegmentPlan
  sessions: Session[]
}

export interface OnnxEngineOptions {
  runtime: OrtRuntime
  config: DecoderConfig
  model: OnnxModel
  weightsFile: string
  /** External data files (`model.onnx_data`), by the path the graph names. */
  externalData?: { path: string; data: Uint8Array }[]
  configJson: Record<string, unknown>
}

export class OnnxEngine implements HookedModel {
  readonly config: ModelSummary
  readonly engine: EngineInfo
  private readonly ort: OrtRuntime['ort']
  private readonly index: GraphIndex
  private readonly layout: ResidualLayout
  private readonly plans = new Map<string, Promise<Plan>>()
  private readonly elemTypes = new Map<string, number>()
  private readonly inputNames: Set<string>
  private readonly pastNames: string[] // past_key_values.N.key/value, in graph order
  private readonly kvShape: { nKv: number; headDim: number }
  private unembed: Unembedding | null | undefined
  private disposed = false

  constructor(private readonly opts: OnnxEngineOptions) {
    const { config, model } = opts
    this.ort = opts.runtime.ort
    this.index = indexGraph(model.graph)
    this.layout = findResidualStream(model.graph, this.index, { vocab: config.vocabSize, dModel: config.dModel, nLayers: config.nLayers })
    const order = allHookNames(config.nLayers)
    this.config = {
      family: config.family,
      vocabSize: config.vocabSize,
      nCtx: config.nCtx,
      dModel: config.dModel,
      nLayers: config.nLayers,
      bosTokenId: config.bosTokenId,
      eosTokenId: config.eosTokenId,
      hookNames: order.filter((n) => this.layout.tensors.has(n)),
    }
    this.engine = { kind: 'onnx', executionProvider: opts.runtime.label, weightsFile: opts.weightsFile }
    this.inputNames = new Set(model.graph.input.map((i) => i.name))
    if (!this.inputNames.has('input_ids')) throw new ModelWeightsError(`${opts.weightsFile} has no "input_ids" input: not a decoder export`)
    this.pastNames = model.graph.input.map((i) => i.name).filter((n) => n.startsWith('past_key_values.'))
    const first = model.graph.input.find((i) => i.name === this.pastNames[0])?.type?.tensorType?.shape?.dim ?? []
    const dim = (i: number, fallback: number) => (first[i]?.dimValue !== undefined ? int64(first[i]!.dimValue) || fallback : fallback)
    this.kvShape = { nKv: dim(1, config.nKvHeads), headDim: dim(3, config.headDim) }
    for (const input of model.graph.input) {
      const t = input.type?.tensorType?.elemType
      if (t !== undefined) this.elemTypes.set(input.name, t)
    }
  }

  async forward(ids: number[][], opts: ModelForwardOptions = {}): Promise<tf.Tensor3D> {
    const { logits } = await this.run(ids, opts, [], true)
    return logits!
  }

  async runWithCache(ids: number[][], names: HookName[], opts: ModelForwardOptions = {}): Promise<{ logits: tf.Tensor3D; cache: Map<HookName, tf.Tensor> }> {
    const { logits, cache } = await this.run(ids, opts, names, true)
    return { logits: logits!, cache }
  }

  async collectActivations(ids: number[][], names: HookName[], opts: { hooks?: Hooks } = {}): Promise<Map<HookName, tf.Tensor>> {
    return (await this.run(ids, opts, names, false)).cache
  }

  newKvCache(batch: number): ModelKvCache {
    this.assertLive()
    if (!Number.isInteger(batch) || batch < 1) throw new InvalidArgumentError(`KV cache batch must be a positive integer, got ${batch}`)
    if (this.pastNames.length === 0) throw new InvalidArgumentError(`${this.opts.weightsFile} has no past_key_values inputs: export it with a KV cache (Optimum's "text-generation-with-past")`)
    return new OnnxKvCache(this, batch)
  }

  hookWidth(name: HookName): number {
    this.tensorOf(name)
    return this.config.dModel
  }

  unembedding(): Unembedding | null {
    if (this.unembed === undefined) this.unembed = this.readUnembedding()
    return this.unembed
  }

  differentiable(): DifferentiableModel | null {
    return null
  }

  exportTensors(): Promise<null> {
    return Promise.resolve(null)
  }

  configJson(): Record<string, unknown> {
    return this.opts.configJson
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    for (const p of this.plans.values()) void p.then((plan) => Promise.all(plan.sessions.map((s) => s.release()))).catch(() => undefined)
    this.plans.clear()
    this.unembed?.wU.dispose()
  }

  get isDisposed(): boolean {
    return this.disposed
  }

  /** The graph tensor behind a hook, or a HookNameError listing what this graph offers. */
  private tensorOf(name: HookName): string {
    const t = this.layout.tensors.get(name)
    if (t === undefined) throw new HookNameError(`"${name}" is not a hook point of this ONNX ${this.config.family} model; it offers ${this.config.hookNames.join(', ')}`)
    return t
  }

  private async run(ids: number[][], opts: ModelForwardOptions, reads: HookName[], wantLogits: boolean): Promise<{ logits: tf.Tensor3D | null; cache: Map<HookName, tf.Tensor> }> {
    this.assertLive()
    const { batch, pos, flat } = this.checkIds(ids)
    const kv = opts.kvCache
    if (kv !== undefined && (!(kv instanceof OnnxKvCache) || kv.owner !== this)) throw new InvalidArgumentError('This KV cache belongs to another model')
    if (kv?.isDisposed) throw new InvalidArgumentError('This KV cache has been disposed')
    if (kv && kv.batch !== batch) throw new InvalidArgumentError(`The KV cache holds a batch of ${kv.batch}, but ${batch} sequences were given`)
    const offset = kv?.length ?? 0
    if (offset + pos > this.config.nCtx) throw new InvalidArgumentError(`${offset} cached + ${pos} new positions exceed the model's context of ${this.config.nCtx}`)
    const runner = new HookRunner(opts.hooks, this.config.nLayers, offset)
    const hooked = this.config.hookNames.filter((n) => runner.has(n))
    for (const n of Object.keys(opts.hooks ?? {}) as HookName[]) if (runner.has(n)) this.tensorOf(n)
    for (const n of reads) this.tensorOf(n)

    // Hooks at one tensor (resid_post of l is resid_pre of l + 1) run together, in hook order.
    const cuts = [...new Set(hooked.map((n) => this.tensorOf(n)))].sort((a, b) => this.index.producer.get(a)! - this.index.producer.get(b)!)
    const presents = kv ? this.pastNames.map((p) => p.replace('past_key_values.', 'present.')) : []
    const targets = [...new Set([...(wantLogits ? ['logits'] : []), ...presents, ...reads.map((n) => this.tensorOf(n))])]
    const { plan, sessions } = await this.planFor(cuts, targets)

    const values = new Map<string, OrtTensor>(Object.entries(this.feeds(flat, batch, pos, offset, kv)))
    const cache = new Map<HookName, tf.Tensor>()
    try {
      for (let s = 0; s < sessions.length; s++) {
        const feeds: Record<string, OrtTensor> = {}
        for (const name of plan.inputs[s]!) feeds[name] = values.get(name) ?? this.missing(name)
        const out = await sessions[s]!.run(feeds)
        for (const [name, t] of Object.entries(out)) values.set(name, t)
        if (s < cuts.length) await this.applyHooks(cuts[s]!, hooked, runner, values, [batch, pos])
      }
      for (const name of reads) if (!cache.has(name)) cache.set(name, this.toTf(values.get(this.tensorOf(name))!, [batch, pos, this.config.dModel]))
      let logits: tf.Tensor3D | null = null
      if (wantLogits) {
        const all = this.toTf(values.get('logits')!, [batch, pos, this.config.vocabSize]) as tf.Tensor3D // [batch, pos, vocab]
        // The exported graph unembeds every position anyway; 'last' and 'none' keep the tensor handed back small.
        const at = opts.logitsAt ?? 'all'
        logits = at === 'last' && pos > 1 ? tf.tidy(() => tf.slice(all, [0, pos - 1, 0], [batch, 1, -1])) : at === 'none' ? tf.zeros([batch, 0, this.config.vocabSize]) : all
        if (logits !== all) all.dispose()
      }
      if (kv) kv.commit(new Map(this.pastNames.map((p, i) => [p, values.get(presents[i]!)!])), pos)
      return { logits, cache }
    } catch (err) {
      for (const t of cache.values()) t.dispose()
      throw err
    }
  }

  /** Runs every hook on `tensor`, replacing its value for the segments after it. */
  private async applyHooks(tensor: string, hooked: HookName[], runner: HookRunner, values: Map<string, OrtTensor>, [batch, pos]: [number, number]): Promise<void> {
    const raw = values.get(tensor)!
    const shape = [batch, pos, this.config.dModel]
    const out = tf.tidy(() => {
      let act: tf.Tensor = this.toTf(raw, shape) // [batch, pos, dModel]
      for (const name of hooked) if (this.layout.tensors.get(name) === tensor) act = runner.run(name, act)
      return act
    })
    try {
      const data = (await out.data()) as Float32Array
      // Back in the type the next segment reads: float16 in an fp16 export.
      values.set(tensor, raw.type === 'float16' ? new this.ort.Tensor('float16', floatToHalf(data), shape) : new this.ort.Tensor('float32', data, shape))
    } finally {
      out.dispose()
    }
  }

  /** A float graph tensor as float32 tfjs (an fp16 export's float16 widened). */
  private toTf(t: OrtTensor, shape: number[]): tf.Tensor {
    if (t.type === 'float16') return tf.tensor(halfToFloat(t.data as Uint16Array), shape, 'float32')
    if (t.type !== 'float32') throw new ModelWeightsError(`Expected float32 or float16 from the graph, got ${t.type}`)
    return tf.tensor(t.data as Float32Array, shape, 'float32')
  }

  private missing(name: string): never {
    throw new ModelWeightsError(`The graph needs input "${name}", which this engine does not provide`)
  }

  /** input_ids, attention_mask, position_ids (where the graph has them) and the pasts, all as the export expects. */
  private feeds(flat: BigInt64Array, batch: number, pos: number, offset: number, kv: OnnxKvCache | undefined): Record<string, OrtTensor> {
    const { Tensor } = this.ort
    const feeds: Record<string, OrtTensor> = { input_ids: new Tensor('int64', flat, [batch, pos]) }
    if (this.inputNames.has('attention_mask')) feeds.attention_mask = new Tensor('int64', new BigInt64Array(batch * (offset + pos)).fill(1n), [batch, offset + pos])
    if (this.inputNames.has('position_ids')) {
      const p = new BigInt64Array(batch * pos)
      for (let b = 0; b < batch; b++) for (let i = 0; i < pos; i++) p[b * pos + i] = BigInt(offset + i)
      feeds.position_ids = new Tensor('int64', p, [batch, pos])
    }
    const empty = [batch, this.kvShape.nKv, 0, this.kvShape.headDim]
    for (const name of this.pastNames) {
      feeds[name] = kv?.past(name) ?? (this.elemTypes.get(name) === FLOAT16 ? new Tensor('float16', new Uint16Array(0), empty) : new Tensor('float32', new Float32Array(0), empty))
    }
    return feeds
  }

  /** Sessions for one set of cuts and targets, built once and kept. */
  private planFor(cuts: string[], targets: string[]): Promise<Plan> {
    const key = `${cuts.join(',')}|${targets.join(',')}`
    let plan = this.plans.get(key)
    if (!plan) {
      plan = this.buildPlan(cuts, targets)
      this.plans.set(key, plan)
      plan.catch(() => this.plans.delete(key))
    }
    return plan
  }

  private async buildPlan(cuts: string[], targets: string[]): Promise<Plan> {
    const { model } = this.opts
    const plan = planSegments(model.graph, this.index, cuts, targets)
    const crossing = plan.inputs.flat().filter((n) => !this.elemTypes.has(n))
    if (crossing.length > 0) await this.probeTypes(crossing)
    const elemType = (t: string) => this.elemTypes.get(t) ?? FLOAT
    const sessions: Session[] = []
    for (let s = 0; s < plan.nodes.length; s++) sessions.push(await this.session(encodeOnnx(segmentModel(model, plan, s, elemType))))
    return { plan, sessions }
  }

  /** Element types of inner tensors (exports rarely list them): one run with them as extra outputs, 1 token. */
  private async probeTypes(names: string[]): Promise<void> {
    const { model } = this.opts
    const probe: OnnxModel = { ...model, graph: { ...model.graph, output: [...model.graph.output, ...names.map((name) => ({ name }))] } }
    const session = await this.session(encodeOnnx(probe))
    try {
      const feeds = this.feeds(BigInt64Array.from([BigInt(this.config.bosTokenId ?? 0)]), 1, 1, 0, undefined)
      const out = await session.run(feeds, names)
      for (const name of names) {
        const type = ORT_ELEM_TYPES[out[name]!.type]
        if (type === undefined) throw new ModelWeightsError(`Tensor "${name}" has type ${out[name]!.type}, which cannot cross a hook`)
        this.elemTypes.set(name, type)
      }
    } finally {
      await session.release()
    }
  }

  /** onnxruntime's own graph checks run here; a graph it refuses is the file's fault, so the error names the file. */
  private async session(bytes: Uint8Array): Promise<Session> {
    const options: OrtWeb.InferenceSession.SessionOptions = { executionProviders: this.opts.runtime.executionProviders, graphOptimizationLevel: 'all' }
    if (this.opts.externalData) options.externalData = this.opts.externalData
    try {
      return await this.ort.InferenceSession.create(bytes, options)
    } catch (err) {
      // onnxruntime-node prefixes its source location and function ("/onnxruntime_src/…/graph.cc:1587 void …() ").
      const detail = err instanceof Error ? err.message.replace(/^\/\S+:\d+ .*?\(\) /, '').slice(0, 300) : describeValue(err)
      throw new ModelWeightsError(`${this.opts.weightsFile}: onnxruntime (${this.opts.runtime.label}) cannot build a session on this graph: ${detail}`)
    }
  }

  /**
   * The head's weight as [vocab, dModel] when it is an initializer of the logits MatMul (float32 or float16), or of
   * a quantized export's MatMulInteger (dequantized: (q − zero point) × scale, per tensor), or a 4-bit export's
   * MatMulNBits (dequantized per block: matMulNBits.ts).
   */
  private readUnembedding(): Unembedding | null {
    const g = this.opts.model.graph
    const node = headMatmul(g, this.index, 'logits')
    const { vocabSize: vocab, dModel: d } = this.config
    const asUnembedding = (data: Float32Array): Unembedding => {
      const wU = tf.tidy(() => tf.transpose(tf.tensor2d(data, [d, vocab]))) as tf.Tensor2D // [vocab, dModel]
      return { wU, lnGain: null, centred: false }
    }
    if (node?.opType === 'MatMulNBits') {
      const q = readNBitsWeight(g, node)
      return q && q.k === d && q.n === vocab ? asUnembedding(dequantizeNBits(q)) : null
    }
    if (!node || (node.opType !== 'MatMul' && node.opType !== 'MatMulInteger')) return null
    const init = (name: string | undefined) => g.initializer.find((t) => t.name === name)
    const weight = init(node.input[1])
    const dims = weight?.dims.map(int64)
    if (!weight?.rawData || !dims || dims.length !== 2 || dims[0] !== d || dims[1] !== vocab) return null
    const bytes = new Uint8Array(weight.rawData) // a copy, aligned (a Node Buffer's slice() would be a view into its pool)
    let data: Float32Array // [dModel, vocab]
    if (node.opType === 'MatMul' && weight.dataType === FLOAT) data = new Float32Array(bytes.buffer, 0, d * vocab)
    else if (node.opType === 'MatMul' && weight.dataType === FLOAT16) data = halfToFloat(new Uint16Array(bytes.buffer, 0, d * vocab))
    else if (node.opType === 'MatMulInteger' && (weight.dataType === UINT8 || weight.dataType === INT8)) {
      const zero = init(node.input[3])?.rawData
      const scale = this.quantizedScale(node.output[0]!)
      if (scale === null) return null
      const q = weight.dataType === INT8 ? new Int8Array(bytes.buffer, 0, d * vocab) : bytes.subarray(0, d * vocab)
      const z = zero && zero.length === 1 ? (weight.dataType === INT8 ? new Int8Array(zero.buffer, zero.byteOffset, 1)[0]! : zero[0]!) : 0
      data = Float32Array.from(q, (v) => (v - z) * scale)
    } else return null
    return asUnembedding(data)
  }

  /** The weight scale of a quantized MatMul: the float scalar initializer in the Mul that rescales its product. */
  private quantizedScale(product: string): number | null {
    const g = this.opts.model.graph
    const readers = (t: string) => (this.index.consumers.get(t) ?? []).map((i) => g.node[i]!)
    const cast = readers(product).find((n) => n.opType === 'Cast')
    const rescale = cast && readers(cast.output[0]!).find((n) => n.opType === 'Mul')
    if (!rescale) return null
    for (const input of rescale.input) {
      const p = this.index.producer.get(input)
      const scales = p === undefined ? [] : g.node[p]!.input.map((n) => g.initializer.find((t) => t.name === n)).filter((t) => t?.dataType === FLOAT && t.rawData?.length === 4)
      if (scales.length === 1) return new Float32Array(new Uint8Array(scales[0]!.rawData!).buffer)[0]!
    }
    return null
  }

  private checkIds(ids: number[][]): { batch: number; pos: number; flat: BigInt64Array } {
    if (!Array.isArray(ids) || ids.length === 0) throw new InvalidArgumentError('Token ids must be a non-empty array of sequences (number[][])')
    const pos = Array.isArray(ids[0]) ? ids[0].length : 0
    if (pos === 0) throw new InvalidArgumentError('Each sequence needs at least one token id')
    const flat = new BigInt64Array(ids.length * pos)
    ids.forEach((row, b) => {
      if (!Array.isArray(row) || row.length !== pos) throw new InvalidArgumentError(`Sequences in a batch must have equal lengths: sequence 0 has ${pos}, sequence ${b} has ${Array.isArray(row) ? row.length : 'none'}`)
      row.forEach((id, i) => {
        if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize) throw new InvalidArgumentError(`Token id ${id} (sequence ${b}, position ${i}) is outside the vocabulary [0, ${this.config.vocabSize})`)
        flat[b * pos + i] = BigInt(id)
      })
    })
    return { batch: ids.length, pos, flat }
  }

  private assertLive(): void {
    if (this.disposed) throw new InvalidArgumentError('This model has been disposed')
  }
}
