// The typed messages between the main thread and the model worker. Every request carries a requestId and every
// reply names the request it answers; later panels (features, map, steering, training) add members to these unions.
import type { MonoscopeErrorCode } from '../core/errors.ts'
import type { EngineInfo } from '../core/model/hookedModel.ts'
import type { HookName } from '../core/model/hookNames.ts'
import type { OnnxVariant } from '../core/model/onnx/loadOnnx.ts'
// Type-only: the main thread imports this file, and it must never pull tfjs in.
import type { BackendName } from '../core/backend/backend.ts'
import type { SkippedGpu } from '../core/backend/automatic.ts'
import { ANALYSIS_FINAL_RESPONSE, type AnalysisRequest, type AnalysisResponse } from './analysisProtocol.ts'
import { SAE_FINAL_RESPONSE, type SaeRequest, type SaeResponse } from './saeProtocol.ts'
import { STEERING_FINAL_RESPONSE, type SteeringRequest, type SteeringResponse } from './steeringProtocol.ts'

export type { BackendName }

/** The same order as src/core/backend, repeated here as data so the main thread need not import that module. */
export const BACKEND_NAMES = ['webgpu', 'webgl', 'wasm', 'cpu'] as const satisfies readonly BackendName[]

/**
 * 'auto' tries WebGPU, WebGL, WASM, CPU in turn, with GPUs that are CPU emulations (SwiftShader, llvmpipe…) moved
 * after WASM; a name forces that backend (and fails if it cannot start).
 */
export type BackendPreference = BackendName | 'auto'

export function parseBackendPreference(text: string | null | undefined): BackendPreference | null {
  if (text === 'auto') return 'auto'
  return BACKEND_NAMES.find((name) => name === text) ?? null
}

export type RequestId = number & { readonly __brand: 'RequestId' }

// ---- requests: main thread → worker ------------------------------------------------------------------------

export interface LoadModelRequest {
  type: 'loadModel'
  requestId: RequestId
  /** What resolveSource accepts: 'hf:owner/name[@rev]' or an absolute http(s) base URL (the client resolves relative paths). */
  source: string
  backend: BackendPreference
  /** Where 'hf:' sources are fetched from (a Hub mirror; huggingface_hub's HF_ENDPOINT); default https://huggingface.co. */
  hubEndpoint?: string
  /** Which ONNX file when the model runs on ONNX (transformers.js's dtype names); default fp32. */
  onnxVariant?: OnnxVariantName
  /**
   * WASM threads for tfjs-wasm and onnxruntime-web. Default: tfjs-wasm's own choice (half the cores) and
   * onnxruntime's (the cores, at most 4). Read once per worker: tfjs-wasm starts its thread pool once.
   */
  wasmThreads?: number
}

/** The most WASM threads `?threads=` may ask for. */
export const MAX_WASM_THREADS = 16

/** transformers.js's dtype names, as data (the main thread must not import the ONNX loader). */
export const ONNX_VARIANT_NAMES = ['fp32', 'fp16', 'q8', 'int8', 'q4'] as const satisfies readonly OnnxVariant[]
export type OnnxVariantName = (typeof ONNX_VARIANT_NAMES)[number]

export function parseOnnxVariant(text: string | null | undefined): OnnxVariantName | null {
  return ONNX_VARIANT_NAMES.find((name) => name === text) ?? null
}

export interface TokenizeRequest {
  type: 'tokenize'
  requestId: RequestId
  text: string
}

export type PromptInput = { kind: 'text'; text: string } | { kind: 'ids'; ids: number[] }

export interface SamplingOptions {
  /** 0 is greedy. */
  temperature: number
  /** 0 turns top-k off. */
  topK: number
  /** 1 turns nucleus sampling off. */
  topP: number
}

export interface GenerateRequest {
  type: 'generate'
  requestId: RequestId
  prompt: PromptInput
  sampling: SamplingOptions
  seed: number
  maxTokens: number
  /** Stop at the model's end-of-text token; off lets a demo run to maxTokens. */
  stopAtEos: boolean
}

export interface StopRequest {
  type: 'stop'
  requestId: RequestId
  /** The generation to stop; stopping one that has already finished is not an error. */
  target: RequestId
}

export type WorkerRequest = LoadModelRequest | TokenizeRequest | GenerateRequest | StopRequest | SaeRequest | SteeringRequest | AnalysisRequest
export type WorkerRequestType = WorkerRequest['type']

// ---- responses: worker → main thread -----------------------------------------------------------------------

export interface ProgressResponse {
  type: 'progress'
  requestId: RequestId
  file: string
  loaded: number
  /** null when the server sends no Content-Length. */
  total: number | null
}

export interface ModelSummary {
  /** The source as loaded, for display and for sharing by URL. */
  source: string
  /** config.json's model_type ('gpt2', 'llama', …). */
  family: string
  /** Which engine runs it ('tfjs' on safetensors, 'onnx' on an ONNX export), where, and from which weights file. */
  engine: EngineInfo
  nLayers: number
  dModel: number
  nCtx: number
  vocabSize: number
  bosTokenId: number | null
  eosTokenId: number | null
  hasTokenizer: boolean
  /** Its vocabulary is TinyWorld's token for token: the committed TinyWorld SAEs and corpus apply to it. */
  speaksTinyWorld: boolean
}

export interface BackendInfo {
  name: BackendName
  /** Human detail, e.g. the WebGPU adapter ("SwiftShader") or the WASM thread count. */
  detail: string
  /** Automatic only: software GPUs it passed over for this backend (the header says so and offers to force one). */
  skipped?: SkippedGpu[]
}

/** Sampling defaults a model's generation_config.json suggests; absent keys keep the user's settings. */
export interface GenerationDefaults {
  temperature?: number
  topK?: number
  topP?: number
  maxTokens?: number
}

export interface ModelLoadedResponse {
  type: 'modelLoaded'
  requestId: RequestId
  model: ModelSummary
  backend: BackendInfo
  hookNames: HookName[]
  vocabSize: number
  generationDefaults: GenerationDefaults
}

/** The answer to tokenize, and the first message of a generation (its prompt tokens). */
export interface TokensResponse {
  type: 'tokens'
  requestId: RequestId
  ids: number[]
  /** One display string per id (decodeToken), the same length as ids. */
  pieces: string[]
}

export interface TokenResponse {
  type: 'token'
  requestId: RequestId
  /** 0-based position among the generated tokens. */
  index: number
  id: number
  /** The text this token adds to the stream; '' while a multi-byte character is incomplete. */
  text: string
}

/** 'eos': the model ended the text; 'maxTokens': the budget ran out; 'stopped': a stop request; 'ok': not a generation. */
export type DoneReason = 'eos' | 'maxTokens' | 'stopped' | 'ok'

export interface DoneResponse {
  type: 'done'
  requestId: RequestId
  reason: DoneReason
  /** Tokens generated (0 for requests that are not generations). */
  generated: number
  elapsedMs: number
  /** tf.memory().numTensors after the request: should not grow from one generation to the next. */
  numTensors: number
}

/** Every MonoscopeError code, plus 'UNKNOWN' for foreign errors and 'WORKER' when the worker itself failed. */
export type WorkerErrorCode = MonoscopeErrorCode | 'UNKNOWN' | 'WORKER'

export interface ErrorResponse {
  type: 'error'
  /** null for errors no request owns (a message the worker could not read). */
  requestId: RequestId | null
  code: WorkerErrorCode
  message: string
}

export type WorkerResponse = ProgressResponse | ModelLoadedResponse | TokensResponse | TokenResponse | DoneResponse | ErrorResponse | SaeResponse | SteeringResponse | AnalysisResponse
export type WorkerResponseType = WorkerResponse['type']

/** The reply that ends each kind of request (an 'error' ends any); every other reply is a stream event. */
export const FINAL_RESPONSE = {
  loadModel: 'modelLoaded',
  tokenize: 'tokens',
  generate: 'done',
  stop: 'done',
  ...SAE_FINAL_RESPONSE,
  ...STEERING_FINAL_RESPONSE,
  ...ANALYSIS_FINAL_RESPONSE,
} as const satisfies Record<WorkerRequestType, WorkerResponseType>

export type RequestOf<T extends WorkerRequestType> = Extract<WorkerRequest, { type: T }>
export type FinalResponseOf<T extends WorkerRequestType> = Extract<WorkerResponse, { type: (typeof FINAL_RESPONSE)[T] }>
/** A request as the caller writes it: the client assigns the requestId. */
export type RequestBody<T extends WorkerRequestType> = Omit<RequestOf<T>, 'requestId'>
