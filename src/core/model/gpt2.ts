// HookedGpt2: a GPT-2 forward pass with TransformerLens hook points, a KV cache, and parameters as
// tf.Variables under Hugging Face names, so the same object serves inference, steering and training.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import type { TensorEntry } from '../formats/safetensors.ts'
import { causalMask, type PassContext } from './attention.ts'
import { block, type BlockParams } from './block.ts'
import type { Gpt2Config } from './config.ts'
import type { LogitsAt } from './hookedModel.ts'
import { hookName, hookLayer, type HookName } from './hookNames.ts'
import { HookRunner, mergeHooks, validateHookNames, type Hooks } from './hooks.ts'
import { hasHeapViews } from './heapView.ts'
import { KvCache, type LayerKv } from './kvCache.ts'
import { layerNorm, type LayerNormParams } from './layerNorm.ts'
import { embed, unembed } from './linear.ts'
import { checkTokenIds } from './tokenIds.ts'
import { LM_HEAD, mapGpt2Weights } from './weights.ts'

export interface ForwardOptions {
  hooks?: Hooks
  /** Appends this pass's keys and values; ids are then only the new positions. */
  kvCache?: KvCache
  /** Positions to unembed (see LogitsAt): 'all' unless said; 'last' for sampling, 'none' for hook-only passes. */
  logitsAt?: LogitsAt
}

/** How far a pass goes: partial passes serve activation harvesting. */
interface PassExtent {
  blocks: number
  finalNorm: boolean
  logits: boolean
}
const FULL_PASS: PassExtent = { blocks: Infinity, finalNorm: true, logits: true }

export class HookedGpt2 {
  readonly config: Gpt2Config
  /** False when the checkpoint had an `lm_head.weight` different from `wte.weight`. */
  readonly tiedLmHead: boolean
  private readonly params: Map<string, tf.Variable>
  private readonly blockParams: BlockParams[]
  private readonly lnF: LayerNormParams
  private readonly wte: tf.Variable
  private readonly wpe: tf.Variable
  private readonly unembedW: tf.Variable
  /** transpose(unembedW), rebuilt whenever the variable is assigned (training changes its dataId). */
  private unembedT: { source: object; t: tf.Tensor2D } | null = null
  private disposed = false

  private constructor(config: Gpt2Config, params: Map<string, tf.Variable>, tiedLmHead: boolean) {
    this.config = config
    this.params = params
    this.tiedLmHead = tiedLmHead
    const get = <T extends tf.Tensor>(name: string): T => params.get(name) as unknown as T
    this.wte = get('wte.weight')
    this.wpe = get('wpe.weight')
    this.unembedW = tiedLmHead ? this.wte : get(LM_HEAD)
    this.lnF = { weight: get('ln_f.weight'), bias: get('ln_f.bias') }
    this.blockParams = Array.from({ length: config.nLayers }, (_, l) => {
      const h = `h.${l}`
      return {
        ln1: { weight: get(`${h}.ln_1.weight`), bias: get(`${h}.ln_1.bias`) },
        attn: {
          cAttnW: get(`${h}.attn.c_attn.weight`),
          cAttnB: get(`${h}.attn.c_attn.bias`),
          cProjW: get(`${h}.attn.c_proj.weight`),
          cProjB: get(`${h}.attn.c_proj.bias`),
        },
        ln2: { weight: get(`${h}.ln_2.weight`), bias: get(`${h}.ln_2.bias`) },
        mlp: {
          fcW: get(`${h}.mlp.c_fc.weight`),
          fcB: get(`${h}.mlp.c_fc.bias`),
          projW: get(`${h}.mlp.c_proj.weight`),
          projB: get(`${h}.mlp.c_proj.bias`),
        },
      }
    })
  }

  /**
   * Builds a model from checkpoint tensors in any Hugging Face naming variant (see weights.ts); shapes are
   * checked against `config`. The data is copied into the backend: the caller may drop `tensors` afterwards.
   */
  static fromTensors(config: Gpt2Config, tensors: Map<string, TensorEntry>): HookedGpt2 {
    const { tensors: mapped, tiedLmHead } = mapGpt2Weights(config, tensors)
    const params = new Map<string, tf.Variable>()
    try {
      for (const [name, entry] of mapped) {
        const t = tf.tensor(entry.data, entry.shape, 'float32')
        // Not trainable until asked (setTrainable): optimizers given no varList take every trainable variable.
        params.set(name, tf.variable(t, false))
        t.dispose()
      }
    } catch (err) {
      for (const v of params.values()) v.dispose()
      throw err
    }
    return new HookedGpt2(config, params, tiedLmHead)
  }

  /**
   * The model's own parameters under Hugging Face names without `transformer.` (`wte.weight`,
   * `h.0.attn.c_attn.weight`, …; `lm_head.weight` only when untied). They are the live variables: assign
   * to them to train (the model notices), and never dispose them.
   */
  parameters(): Map<string, tf.Variable> {
    this.assertLive()
    return new Map(this.params)
  }

  /** Marks every parameter trainable (or frozen) for tf.variableGrads and optimizers. */
  setTrainable(trainable: boolean): void {
    this.assertLive()
    for (const v of this.params.values()) v.trainable = trainable
  }

  /** A copy of every parameter as float32 data, ready for writeSafetensors (bare Hugging Face names). */
  toTensorMap(): Map<string, TensorEntry> {
    this.assertLive()
    const out = new Map<string, TensorEntry>()
    for (const [name, v] of this.params) out.set(name, { dtype: 'F32', shape: [...v.shape], data: (v.dataSync() as Float32Array).slice() })
    return out
  }

  /** As toTensorMap, without blocking on GPU backends. */
  async toTensorMapAsync(): Promise<Map<string, TensorEntry>> {
    this.assertLive()
    const out = new Map<string, TensorEntry>()
    for (const [name, v] of this.params) out.set(name, { dtype: 'F32', shape: [...v.shape], data: ((await v.data()) as Float32Array).slice() })
    return out
  }

  /**
   * A KV cache for `batch` sequences, written in place where the backend allows (wasm, cpu). `inPlace: false`
   * forces the concat cache the GPU backends use, so that path is testable in Node.
   */
  newKvCache(batch: number, opts: { inPlace?: boolean } = {}): KvCache {
    this.assertLive()
    if (!Number.isInteger(batch) || batch < 1) throw new InvalidArgumentError(`KV cache batch must be a positive integer, got ${batch}`)
    const { nLayers, nCtx, nHeads, dModel } = this.config
    return new KvCache(this, batch, nLayers, nCtx, nHeads, dModel / nHeads, opts.inPlace ?? hasHeapViews())
  }

  /** Logits [batch, pos, vocab] (pos = 1 with logitsAt 'last', 0 with 'none'). The caller disposes them. */
  forward(ids: number[][], opts: ForwardOptions = {}): tf.Tensor3D {
    return this.run(ids, opts, FULL_PASS) as tf.Tensor3D
  }

  runWithHooks(ids: number[][], hooks: Hooks, opts: Omit<ForwardOptions, 'hooks'> = {}): tf.Tensor3D {
    return this.forward(ids, { ...opts, hooks })
  }

  /**
   * Logits plus a copy of each named activation (after any `opts.hooks` at that point ran). The caller
   * disposes the logits and every cached tensor.
   */
  runWithCache(ids: number[][], names: HookName[], opts: ForwardOptions = {}): { logits: tf.Tensor3D; cache: Map<HookName, tf.Tensor> } {
    return this.withCapture(names, opts.hooks, (hooks) => this.run(ids, { ...opts, hooks }, FULL_PASS) as tf.Tensor3D)
  }

  /**
   * Only the named activations: the pass stops after the last block that any of them needs (TransformerLens's
   * `stop_at_layer`), which is what harvesting SAE training data wants. The caller disposes every tensor.
   */
  collectActivations(ids: number[][], names: HookName[], opts: { hooks?: Hooks } = {}): Map<HookName, tf.Tensor> {
    validateHookNames(names, this.config.nLayers)
    // Blocks needed: through the deepest named layer; all of them (plus ln_f) for ln_final.hook_normalized.
    const needsFinal = names.includes(hookName.lnFinalNormalized())
    const blocks = needsFinal ? this.config.nLayers : Math.max(0, ...names.map((n) => (hookLayer(n) ?? -1) + 1))
    const { cache } = this.withCapture(names, opts.hooks, (hooks) => this.run(ids, { hooks }, { blocks, finalNorm: needsFinal, logits: false }))
    return cache
  }

  dispose(): void {
    if (this.disposed) return
    for (const v of this.params.values()) v.dispose()
    this.unembedT?.t.dispose()
    this.unembedT = null
    this.disposed = true
  }

  get isDisposed(): boolean {
    return this.disposed
  }

  private withCapture<R extends tf.Tensor | null>(
    names: HookName[],
    userHooks: Hooks | undefined,
    runPass: (hooks: Hooks) => R,
  ): { logits: R; cache: Map<HookName, tf.Tensor> } {
    validateHookNames(names, this.config.nLayers)
    const cache = new Map<HookName, tf.Tensor>()
    const capture: Hooks = {}
    for (const name of new Set(names)) {
      capture[name] = (act) => {
        // clone() shares the data (no copy); keep() lets it outlive the pass's tidy.
        cache.get(name)?.dispose()
        cache.set(name, tf.keep(act.clone()))
      }
    }
    try {
      const logits = runPass(mergeHooks(userHooks, capture))
      return { logits, cache }
    } catch (err) {
      for (const t of cache.values()) t.dispose()
      throw err
    }
  }

  /** The forward pass through blocks 0 … extent.blocks−1, then optionally ln_f and the unembedding. */
  private run(ids: number[][], opts: ForwardOptions, extent: PassExtent): tf.Tensor3D | null {
    this.assertLive()
    const { config } = this
    const kv = opts.kvCache
    const { batch, pos, flat } = checkTokenIds(ids, config.vocabSize)
    const offset = kv ? kv.length : 0
    if (kv) {
      if (kv.owner !== this) throw new InvalidArgumentError('This KV cache belongs to another model')
      if (kv.isDisposed) throw new InvalidArgumentError('This KV cache has been disposed')
      if (kv.batch !== batch) throw new InvalidArgumentError(`The KV cache holds a batch of ${kv.batch}, but ${batch} sequences were given`)
    }
    if (offset + pos > config.nCtx) {
      throw new InvalidArgumentError(
        kv
          ? `${offset} cached + ${pos} new positions exceed the model's context of ${config.nCtx}`
          : `${pos} positions exceed the model's context of ${config.nCtx}`,
      )
    }
    const hooks = new HookRunner(opts.hooks, config.nLayers, offset)
    const nBlocks = Math.min(extent.blocks, config.nLayers)
    const logitsAt: LogitsAt = extent.logits ? (opts.logitsAt ?? 'all') : 'none'
    const [w, wT] = logitsAt === 'none' ? [null, null] : this.unembedWeights()
    const inPlace = kv?.inPlace === true
    // In place, attention reads the cache's whole buffer: the keys it sees are its capacity, not offset + pos.
    const keys = inPlace ? kv.reserve(pos) : offset + pos
    const newKv: LayerKv[] = []

    try {
      const logits = tf.tidy((): tf.Tensor3D | undefined => {
        const idsT = tf.tensor2d(flat, [batch, pos], 'int32') // [batch, pos]
        const tokEmbed = hooks.run(hookName.embed(), embed(this.wte as unknown as tf.Tensor2D, idsT)) // [batch, pos, d]
        let posEmbed: tf.Tensor = tf.slice(this.wpe, [offset, 0], [pos, config.dModel]) // [pos, d]
        if (hooks.has(hookName.posEmbed())) {
          // TransformerLens shows the position embedding per sequence: [batch, pos, d].
          posEmbed = hooks.run(hookName.posEmbed(), tf.tile(tf.expandDims(posEmbed, 0), [batch, 1, 1]))
        }
        let resid = tf.add(tokEmbed, posEmbed) // [batch, pos, d]
        const mask = causalMask(pos, offset, keys) // [pos, keys] or null
        let exact: tf.Tensor2D | null | undefined
        const ctx: PassContext = {
          nHeads: config.nHeads,
          hooks,
          offset,
          mask,
          exactMask: () => (exact === undefined ? (exact = causalMask(pos, offset)) : exact),
          kv: kv ?? null,
        }
        for (let l = 0; l < nBlocks; l++) {
          const out = block(resid, this.blockParams[l] as BlockParams, config, l, ctx)
          resid = out.resid
          if (out.kv) newKv.push({ kT: tf.keep(out.kv.kT), v: tf.keep(out.kv.v) })
        }
        const wantsNormed = logitsAt !== 'none' || (extent.finalNorm && hooks.has(hookName.lnFinalNormalized()))
        if (nBlocks < config.nLayers || !wantsNormed) return undefined
        const normed = hooks.run(hookName.lnFinalNormalized(), layerNorm(resid, this.lnF, config.layerNormEps)) // [batch, pos, d]
        if (w === null || wT === null) return undefined
        const rows = logitsAt === 'last' ? tf.slice(normed, [0, pos - 1, 0], [batch, 1, config.dModel]) : normed // [batch, pos', d]
        return unembed(rows, w, wT) as tf.Tensor3D // [batch, pos', vocab]
      })
      if (kv && inPlace) kv.advance(pos)
      else if (kv) kv.commit(newKv, pos)
      // A pass asked for no logits still returns a tensor (an empty one) when it is a forward: one return type.
      if (logits === undefined && extent.logits) return tf.zeros([batch, 0, config.vocabSize]) as tf.Tensor3D
      return logits ?? null
    } catch (err) {
      for (const t of newKv) {
        t.kT.dispose()
        t.v.dispose()
      }
      if (inPlace) kv.discardPending()
      throw err
    }
  }

  private unembedWeights(): [tf.Tensor2D, tf.Tensor2D] {
    const w = this.unembedW as unknown as tf.Tensor2D
    if (this.unembedT === null || this.unembedT.source !== w.dataId) {
      this.unembedT?.t.dispose()
      this.unembedT = { source: w.dataId, t: tf.tidy(() => tf.keep(tf.transpose(w))) } // [d, vocab]
    }
    return [w, this.unembedT.t]
  }

  private assertLive(): void {
    if (this.disposed) throw new InvalidArgumentError('This model has been disposed')
  }
}
