// The one model interface: everything outside src/core/model (analysis, activation stores, SAE training,
// steering, the workers, the CLI) holds a HookedModel and never knows which engine runs it.
import type * as tf from '@tensorflow/tfjs'
import type { HookName } from './hookNames.ts'
import type { Hooks } from './hooks.ts'

/** Which implementation runs the model: tfjs on safetensors weights, or onnxruntime on an ONNX export. */
export type EngineKind = 'tfjs' | 'onnx'

export interface EngineInfo {
  kind: EngineKind
  /** Where the numbers are computed: the tfjs backend ('wasm', 'webgpu', …) or the onnxruntime execution provider. */
  executionProvider: string
  /** The weights file read, e.g. 'model.safetensors' or 'onnx/model_quantized.onnx'. */
  weightsFile: string
}

/** What every consumer may know about a model, whatever its family or engine. */
export interface ModelSummary {
  /** config.json's model_type: 'gpt2', 'llama', 'gpt_neox', … */
  family: string
  vocabSize: number
  nCtx: number
  dModel: number
  nLayers: number
  /** From config.json (or generation_config.json); whether windows get a BOS is decided by prependBosFor(). */
  bosTokenId: number | null
  eosTokenId: number | null
  /** The hook points this model offers, in execution order (an ONNX graph offers the residual stream only). */
  hookNames: readonly HookName[]
}

/** Keys and values of positions already processed; made by `newKvCache`, consumed by `forward`. */
export interface ModelKvCache {
  readonly batch: number
  /** Positions held so far: the next forward's position offset. */
  readonly length: number
  readonly isDisposed: boolean
  dispose(): void
}

/**
 * Which positions a forward pass unembeds. 'all' (the default): every position, [batch, pos, vocab], for losses
 * and evaluations that read each one. 'last': [batch, 1, vocab], what sampling needs. 'none': an empty
 * [batch, 0, vocab] tensor, for passes run only for their hooks or to fill a KV cache. The unembedding is the
 * largest product of a small model's pass (GPT-2 small: 38.6 M multiply-adds per position), so ask for no more.
 */
export type LogitsAt = 'all' | 'last' | 'none'

export interface ModelForwardOptions {
  /** Read or replace activations; each hook sees a tf.Tensor [batch, pos, width] and may return a replacement. */
  hooks?: Hooks
  /** Appends this pass's keys and values; ids are then only the new positions. */
  kvCache?: ModelKvCache
  /** Positions to unembed; 'all' unless said. */
  logitsAt?: LogitsAt
}

/** The unembedding in Hugging Face orientation and the final norm's gain (for direct logit effects). */
export interface Unembedding {
  wU: tf.Tensor2D // [vocab, dModel]
  lnGain: tf.Tensor1D | null // [dModel]
  /** True when the final norm subtracts the mean (LayerNorm); false for RMSNorm. */
  centred: boolean
}

/** A synchronous, differentiable forward pass over tf.Variables: the tfjs engine only (LM training, attribution). */
export interface DifferentiableModel {
  forward(ids: number[][], opts?: { hooks?: Hooks; logitsAt?: LogitsAt }): tf.Tensor3D
  parameters(): Map<string, tf.Variable>
  setTrainable(trainable: boolean): void
}

export interface HookedModel {
  readonly config: ModelSummary
  readonly engine: EngineInfo
  /** Logits [batch, pos, vocab] (pos = 1 with logitsAt 'last', 0 with 'none'). The caller disposes them. */
  forward(ids: number[][], opts?: ModelForwardOptions): Promise<tf.Tensor3D>
  /** Logits plus a copy of each named activation (after any hooks there ran). The caller disposes every tensor. */
  runWithCache(ids: number[][], names: HookName[], opts?: ModelForwardOptions): Promise<{ logits: tf.Tensor3D; cache: Map<HookName, tf.Tensor> }>
  /** Only the named activations; the pass stops where the last of them is known. The caller disposes them. */
  collectActivations(ids: number[][], names: HookName[], opts?: { hooks?: Hooks }): Promise<Map<HookName, tf.Tensor>>
  newKvCache(batch: number): ModelKvCache
  /** Width of one position's activation at a hook (d_model on the residual stream). */
  hookWidth(name: HookName): number
  /** The unembedding, or null when the engine cannot expose it. Live tensors: never dispose them. */
  unembedding(): Unembedding | null
  /** The differentiable view, or null (ONNX runs without gradients). */
  differentiable(): DifferentiableModel | null
  /** Every parameter as float32 data under Hugging Face names (tfjs engine), for export; null where not available. */
  exportTensors(): Promise<Map<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> | null>
  /** config.json as Hugging Face writes it for this model. */
  configJson(): Record<string, unknown>
  dispose(): void
  readonly isDisposed: boolean
}

/**
 * Whether windows and prompts start with BOS: an SAE's own `prepend_bos` when it says, else whenever the model
 * declares a BOS token. The one rule for the CLI, the workers and the panels.
 */
export function bosTokenFor(model: Pick<HookedModel, 'config'>, saePrependsBos?: boolean | null): number | null {
  if (saePrependsBos === false) return null
  return model.config.bosTokenId
}
