// The tfjs engine behind the HookedModel interface: HookedGpt2 (safetensors weights as tf.Variables) with its
// synchronous passes offered asynchronously, so callers treat it exactly as the ONNX engine.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import type { TensorEntry } from '../formats/safetensors.ts'
import { gpt2ConfigToJson, type Gpt2Config } from './config.ts'
import { HookedGpt2 } from './gpt2.ts'
import type { DifferentiableModel, EngineInfo, HookedModel, LogitsAt, ModelForwardOptions, ModelKvCache, ModelSummary, Unembedding } from './hookedModel.ts'
import { allHookNames, type HookName } from './hookNames.ts'
import { validateHookNames, type Hooks } from './hooks.ts'
import { KvCache } from './kvCache.ts'
import { LM_HEAD } from './weights.ts'

export class TfjsEngine implements HookedModel {
  readonly config: ModelSummary & Gpt2Config
  readonly engine: EngineInfo

  constructor(readonly gpt2: HookedGpt2) {
    this.config = { ...gpt2.config, family: 'gpt2', hookNames: allHookNames(gpt2.config.nLayers) }
    this.engine = { kind: 'tfjs', executionProvider: tf.getBackend() ?? 'none', weightsFile: 'model.safetensors' }
  }

  forward(ids: number[][], opts: ModelForwardOptions = {}): Promise<tf.Tensor3D> {
    return Promise.resolve(this.gpt2.forward(ids, this.own(opts)))
  }

  runWithCache(ids: number[][], names: HookName[], opts: ModelForwardOptions = {}): Promise<{ logits: tf.Tensor3D; cache: Map<HookName, tf.Tensor> }> {
    return Promise.resolve(this.gpt2.runWithCache(ids, names, this.own(opts)))
  }

  collectActivations(ids: number[][], names: HookName[], opts: { hooks?: Hooks } = {}): Promise<Map<HookName, tf.Tensor>> {
    return Promise.resolve(this.gpt2.collectActivations(ids, names, opts))
  }

  newKvCache(batch: number): ModelKvCache {
    return this.gpt2.newKvCache(batch)
  }

  hookWidth(name: HookName): number {
    validateHookNames([name], this.config.nLayers)
    if (name.endsWith('attn.hook_pattern')) throw new InvalidArgumentError(`"${name}" is [batch, head, q, k], not one vector per position: an SAE cannot read it`)
    return name.endsWith('mlp.hook_post') ? this.config.dMlp : this.config.dModel
  }

  unembedding(): Unembedding | null {
    const params = this.gpt2.parameters()
    const wU = params.get(this.gpt2.tiedLmHead ? 'wte.weight' : LM_HEAD)
    if (!wU) return null
    return { wU: wU as unknown as tf.Tensor2D, lnGain: (params.get('ln_f.weight') as unknown as tf.Tensor1D | undefined) ?? null, centred: true }
  }

  differentiable(): DifferentiableModel {
    return this.gpt2
  }

  async exportTensors(): Promise<Map<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>> {
    return this.gpt2.toTensorMapAsync() as Promise<Map<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>>
  }

  configJson(): Record<string, unknown> {
    return gpt2ConfigToJson(this.gpt2.config, { tiedLmHead: this.gpt2.tiedLmHead })
  }

  dispose(): void {
    this.gpt2.dispose()
  }

  get isDisposed(): boolean {
    return this.gpt2.isDisposed
  }

  private own(opts: ModelForwardOptions): { hooks?: Hooks; kvCache?: KvCache; logitsAt?: LogitsAt } {
    const { kvCache, ...rest } = opts
    if (kvCache === undefined) return rest
    if (!(kvCache instanceof KvCache)) throw new InvalidArgumentError('This KV cache belongs to another engine')
    return { ...rest, kvCache }
  }
}

/** A tfjs-engine model from checkpoint tensors (tests, the CLI's LM training); the data is copied into the backend. */
export function tfjsModelFromTensors(config: Gpt2Config, tensors: Map<string, TensorEntry>): TfjsEngine {
  return new TfjsEngine(HookedGpt2.fromTensors(config, tensors))
}
