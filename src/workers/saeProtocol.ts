// The model worker's SAE messages: load SAELens folders into the worker session (by id), unload them, and encode
// a prompt through model + SAE for the prompt inspector. protocol.ts adds these to its unions.
import type { RequestId, PromptInput } from './protocol.ts'
import type { FeatureContrast } from '../core/attribution/contrast.ts'
import type { ShareState } from '../core/steering/shareState.ts'

/** Where an SAE's SAELens files come from. */
export type SaeSourceSpec =
  | {
      kind: 'source'
      /** What resolveSource accepts: 'hf:owner/name[@rev]' or an absolute http(s) URL (the store resolves relative paths). */
      source: string
      /** SAELens releases keep each SAE in a repo subfolder, e.g. 'blocks.8.hook_resid_pre'. */
      subfolder?: string
      /** Where 'hf:' sources are fetched from (a Hub mirror); default https://huggingface.co. */
      hubEndpoint?: string
    }
  | {
      kind: 'files'
      /**
       * Files a user picked or dropped: File/Blob objects (structured-cloned to the worker) or bytes. Matched by base
       * name: cfg.json and sae_weights.safetensors are required, sparsity.safetensors is optional.
       */
      files: { name: string; data: Blob | ArrayBuffer | Uint8Array }[]
    }

/** Plain metadata of an SAE the worker holds; camelCase of SAELens's cfg.json fields. */
export interface SaeSummary {
  id: string
  architecture: 'standard' | 'topk' | 'jumprelu'
  dIn: number
  dSae: number
  /** TransformerLens hook name from cfg.json metadata; null when the file names none (it cannot run then). */
  hookName: string | null
  /** TopK only. */
  k: number | null
  /** For messages: the URL, Hub spec or file names it was read from. */
  source: string
  /** True when sparsity.safetensors came with it. */
  hasSparsity: boolean
  /**
   * Lowercase hex SHA-256 of sae_weights.safetensors as read, keying stored explanations to these exact weights;
   * null where WebCrypto is missing (an insecure context), absent from older replies.
   */
  weightsSha256?: string | null
}

export interface LoadSaeRequest {
  type: 'loadSae'
  requestId: RequestId
  /** The key the worker keeps the SAE under; loading again under the same id replaces it. Default: derived from the spec. */
  id?: string
  spec: SaeSourceSpec
}

export interface UnloadSaeRequest {
  type: 'unloadSae'
  requestId: RequestId
  saeId: string
}

export interface EncodePromptRequest {
  type: 'encodePrompt'
  requestId: RequestId
  saeId: string
  prompt: PromptInput
  /** Features kept per token, largest first (default 5). */
  topK?: number
  /** Also list every active feature at this position (index into the reply's ids), or null. */
  position?: number | null
}

/** "Why this token?": the features behind the model's logit for the token at `position`, read at position − 1. */
export interface AttributeRequest {
  type: 'attribute'
  requestId: RequestId
  saeId: string
  prompt: PromptInput
  /** Index into the prompt's ids as encodePrompt returns them (BOS included); ≥ 1. */
  position: number
  /** Explain the steered model of this demo (the prompt must begin with its prompt's tokens); absent: the plain model. */
  steering?: ShareState
}

/** Contrastive search's two prompt sets: typed (one prompt per entry), or drawn from TinyWorld by concept name. */
export type ContrastSets = { kind: 'texts'; with: string[]; without: string[] } | { kind: 'concept'; concept: string; prompts: number; seed: number }

/** Features ranked by mean activation with a concept minus without it (and by attribution, with a target token). */
export interface ContrastRequest {
  type: 'contrast'
  requestId: RequestId
  saeId: string
  sets: ContrastSets
  /** A single-token text whose logit at each prompt's last position is explained, or null for activations only. */
  target: string | null
  /** Rows returned per ranking (default 20). */
  top?: number
}

export type SaeRequest = LoadSaeRequest | UnloadSaeRequest | EncodePromptRequest | AttributeRequest | ContrastRequest

export interface SaeLoadedResponse {
  type: 'saeLoaded'
  requestId: RequestId
  sae: SaeSummary
  numTensors: number
}

export interface SaeUnloadedResponse {
  type: 'saeUnloaded'
  requestId: RequestId
  saeId: string
  /** False when no SAE had that id (not an error: unloading is idempotent). */
  existed: boolean
  numTensors: number
}

/** Features of one token: indices into the SAE and activations fᵢ·‖W_dec,i‖ (the analysis files' scale), largest first. */
export interface TokenFeatures {
  indices: number[]
  values: number[]
}

/** A prompt as an SAE at its hook read it. */
export interface PromptAtSae {
  saeId: string
  hookName: string
  /** The tokens run, with BOS prepended when the model has one and the SAE expects it. */
  ids: number[]
  pieces: string[]
  /** True when ids[0] is a BOS the worker added (SAEs usually skip it in training and analysis). */
  addedBos: boolean
}

export interface PromptFeaturesResponse extends PromptAtSae {
  type: 'promptFeatures'
  requestId: RequestId
  /** One entry per id: its top features (only active ones, so possibly fewer than topK). */
  tokens: TokenFeatures[]
  position: number | null
  /** Every active feature at `position`, largest first; null when no position was asked for. */
  active: TokenFeatures | null
  numTensors: number
}

/** One active feature at one position, as core/attribution's FeatureEffect. */
export interface FeatureAttribution {
  position: number
  feature: number
  /** The SAE's own f_i. */
  activation: number
  /** f_i · ∂target/∂f_i; null where the engine has no gradients (ONNX). */
  attribution: number | null
  /** logit − logit with f_i := 0 in SAE(x) + error. */
  ablation: number
}

export interface AttributionResponse extends PromptAtSae {
  type: 'attribution'
  requestId: RequestId
  /** True when the steered model was explained (request.steering). */
  steered: boolean
  /** The explained token's index in ids; the logits read are those after position − 1. */
  position: number
  token: number
  /** The token's logit with SAE(x) + error spliced in. */
  logit: number
  /** Every active feature at positions 0…position − 1, by |attribution| (|ablation| without gradients). */
  features: FeatureAttribution[]
  /** Top-10 overlap of each ranking with ablation's (k is smaller when fewer features are active). */
  overlap: { k: number; attribution: number | null; activation: number }
  /** Σ over positions of e·∇ₓ and of the decoder bias's share; null without gradients. */
  errorAttribution: number | null
  biasAttribution: number | null
  attributionUnavailable: string | null
  numTensors: number
}

/** One feature's row of a contrast: core's own type, plain numbers that cross postMessage as they are. */
export type ContrastRow = FeatureContrast

export interface ContrastResponse {
  type: 'contrastResult'
  requestId: RequestId
  saeId: string
  hookName: string
  with: { prompts: number; tokens: number }
  without: { prompts: number; tokens: number }
  /** e.g. `logit(" Bridge")`, or null without a target. */
  targetText: string | null
  /** The top rows by difference in mean activation, largest first. */
  byActivation: ContrastRow[]
  /** The top rows by difference in mean attribution, largest first; null without a target or gradients. */
  byAttribution: ContrastRow[] | null
  attributionUnavailable: string | null
  numTensors: number
}

export type SaeResponse = SaeLoadedResponse | SaeUnloadedResponse | PromptFeaturesResponse | AttributionResponse | ContrastResponse

/** The final reply of each SAE request; protocol.ts spreads this into FINAL_RESPONSE. */
export const SAE_FINAL_RESPONSE = {
  loadSae: 'saeLoaded',
  unloadSae: 'saeUnloaded',
  encodePrompt: 'promptFeatures',
  attribute: 'attribution',
  contrast: 'contrastResult',
} as const satisfies Record<SaeRequest['type'], SaeResponse['type']>

/** The default id: where the SAE came from, so loading the same folder twice replaces it rather than duplicating. */
export function defaultSaeId(spec: SaeSourceSpec): string {
  if (spec.kind === 'files') return `local:${spec.files.map((f) => f.name.split(/[\\/]/).pop()).sort().join('+')}`
  return spec.subfolder ? `${spec.source.replace(/\/+$/, '')}/${spec.subfolder.replace(/^\/+/, '')}` : spec.source
}
