// Error classes with stable codes: the UI and CLI map each code to a message and, where there is one, a way out.
import { describeValue } from './formats/safeJson.ts'

export type MonoscopeErrorCode =
  | 'SAFETENSORS_FORMAT'
  | 'MODEL_CONFIG'
  | 'MODEL_WEIGHTS'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_NETWORK'
  | 'SOURCE_SPEC'
  | 'TOKENIZER'
  | 'HOOK_NAME'
  | 'INVALID_ARGUMENT'
  | 'BACKEND'
  | 'CANCELLED'
  | 'SAE_FORMAT'
  | 'TRAINING_DIVERGED'
  | 'SHARE_STATE'
  | 'ANALYSIS_FORMAT'
  | 'LLM_ENDPOINT'
  | 'LLM_REPLY'

export class MonoscopeError extends Error {
  readonly code: MonoscopeErrorCode

  constructor(code: MonoscopeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

export class SafetensorsFormatError extends MonoscopeError {
  constructor(message: string) {
    super('SAFETENSORS_FORMAT', message)
  }
}

export class ModelConfigError extends MonoscopeError {
  constructor(message: string) {
    super('MODEL_CONFIG', message)
  }
}

export class ModelWeightsError extends MonoscopeError {
  constructor(message: string) {
    super('MODEL_WEIGHTS', message)
  }
}

export class SourceNotFoundError extends MonoscopeError {
  constructor(message: string) {
    super('SOURCE_NOT_FOUND', message)
  }
}

export class SourceNetworkError extends MonoscopeError {
  constructor(message: string, cause?: unknown) {
    super('SOURCE_NETWORK', message, { cause })
  }
}

export class SourceSpecError extends MonoscopeError {
  constructor(message: string) {
    super('SOURCE_SPEC', message)
  }
}

export class TokenizerError extends MonoscopeError {
  constructor(message: string) {
    super('TOKENIZER', message)
  }
}

export class HookNameError extends MonoscopeError {
  constructor(message: string) {
    super('HOOK_NAME', message)
  }
}

export class InvalidArgumentError extends MonoscopeError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message)
  }
}

export class BackendError extends MonoscopeError {
  constructor(message: string) {
    super('BACKEND', message)
  }
}

export class CancelledError extends MonoscopeError {
  constructor(message = 'Cancelled') {
    super('CANCELLED', message)
  }
}

/** An SAE folder (SAELens cfg.json, sae_weights.safetensors, sparsity.safetensors) is malformed or unsupported. */
export class SaeFormatError extends MonoscopeError {
  constructor(message: string) {
    super('SAE_FORMAT', message)
  }
}

/** Training produced NaN or infinity; subclasses carry the last good checkpoint. */
export class TrainingDivergedError extends MonoscopeError {
  readonly step: number

  constructor(message: string, step: number) {
    super('TRAINING_DIVERGED', message)
    this.step = step
  }
}

/**
 * An LLM endpoint (OpenAI-compatible chat completions) failed: unreachable, timed out, refused the key, or answered
 * with something that is not a completion. Names the URL and HTTP status, never the API key.
 */
export class LlmEndpointError extends MonoscopeError {
  /** The HTTP status, or null when no response came (network error, timeout). */
  readonly status: number | null

  constructor(message: string, status: number | null = null, cause?: unknown) {
    super('LLM_ENDPOINT', message, { cause })
    this.status = status
  }
}

/** An LLM answered, but not in a form the prompt asked for (an empty explanation, no list of examples). */
export class LlmReplyError extends MonoscopeError {
  constructor(message: string) {
    super('LLM_REPLY', message)
  }
}

/** Plain-data form of an error, safe to post between workers and threads. */
export interface SerializedError {
  code: MonoscopeErrorCode | 'UNKNOWN'
  message: string
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof MonoscopeError) return { code: err.code, message: err.message }
  if (err instanceof Error) return { code: 'UNKNOWN', message: err.message }
  return { code: 'UNKNOWN', message: String(err) }
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${describeValue(value)}`)
}
