// Plain-data types of an SAE: its config (SAELens's fields in camelCase) and its weights as Float32Arrays.

/** Architectures an SAE file holds: SAELens's inference architectures that Monoscope computes. */
export type SaeArchitecture = 'standard' | 'topk' | 'jumprelu'

/**
 * Architectures the trainer trains; `batchtopk` and `matryoshka_batchtopk` are saved as `jumprelu` with their
 * learned threshold, as SAELens does.
 */
export type TrainArchitecture = SaeArchitecture | 'batchtopk' | 'matryoshka_batchtopk'

export const SAE_ARCHITECTURES: readonly SaeArchitecture[] = Object.freeze(['standard', 'topk', 'jumprelu'])
export const TRAIN_ARCHITECTURES: readonly TrainArchitecture[] = Object.freeze(['standard', 'topk', 'batchtopk', 'jumprelu', 'matryoshka_batchtopk'])

/** BatchTopK and Matryoshka BatchTopK: k over the batch, AuxK, and SAELens's running threshold saved as jumprelu. */
export function isBatchTopKFamily(a: TrainArchitecture): a is 'batchtopk' | 'matryoshka_batchtopk' {
  return a === 'batchtopk' || a === 'matryoshka_batchtopk'
}

/** The architectures whose sparsity is k (latents per input) rather than a penalty λ. */
export function usesK(a: TrainArchitecture): boolean {
  return a === 'topk' || isBatchTopKFamily(a)
}

/**
 * How inputs are normalised before encoding (SAELens's `normalize_activations`):
 * - `none`: as they come;
 * - `expected_average_only_in`: multiplied by one constant that SAELens keeps outside the files (its pretrained
 *   directory); Monoscope folds it into the weights when loading, given the constant;
 * - `constant_norm_rescale`: each vector scaled to norm √d_in, the reconstruction scaled back;
 * - `layer_norm`: each vector centred and divided by its (unbiased) standard deviation, undone on the way out.
 */
export type NormalizeActivations = 'none' | 'expected_average_only_in' | 'constant_norm_rescale' | 'layer_norm'

export const NORMALIZE_ACTIVATIONS: readonly NormalizeActivations[] = Object.freeze([
  'none',
  'expected_average_only_in',
  'constant_norm_rescale',
  'layer_norm',
])

/** What the SAE was trained on; every field may be unknown (null). SAELens's `metadata` object. */
export interface SaeMetadata {
  modelName: string | null
  /** A TransformerLens hook name, e.g. 'blocks.8.hook_resid_pre'; validated against a model by the engine. */
  hookName: string | null
  hookHeadIndex: number | null
  prependBos: boolean | null
  contextSize: number | null
  datasetPath: string | null
  neuronpediaId: string | null
  saeLensVersion: string | null
  saeLensTrainingVersion: string | null
  /** Every other metadata key, as read, so that a read → write round trip loses nothing. */
  extra: Record<string, unknown>
}

export interface SaeConfig {
  architecture: SaeArchitecture
  dIn: number
  dSae: number
  /** As written in the file ('float32', 'torch.float32', …); Monoscope always computes in float32. */
  dtype: string
  device: string
  /** Subtract b_dec from the input before encoding (SAELens's default, and Anthropic's). */
  applyBDecToInput: boolean
  normalizeActivations: NormalizeActivations
  /** 'hook_z': the input is an attention hook_z [..., n_heads, d_head] flattened to d_in by the caller. */
  reshapeActivations: 'none' | 'hook_z'
  /** TopK only: latents kept per input. */
  k: number | null
  /** TopK only: rank pre-activations by fᵢ·‖W_dec,i‖ and report activations in that scale (SAELens's flag). */
  rescaleActsByDecoderNorm: boolean
  metadata: SaeMetadata
}

/** Weights in SAELens's orientation, row-major. */
export interface SaeArrays {
  wEnc: Float32Array // [dIn, dSae]
  wDec: Float32Array // [dSae, dIn]
  bEnc: Float32Array // [dSae]
  bDec: Float32Array // [dIn]
  /** JumpReLU only. */
  threshold: Float32Array | null // [dSae]
}

export function emptyMetadata(): SaeMetadata {
  return {
    modelName: null,
    hookName: null,
    hookHeadIndex: null,
    prependBos: null,
    contextSize: null,
    datasetPath: null,
    neuronpediaId: null,
    saeLensVersion: null,
    saeLensTrainingVersion: null,
    extra: {},
  }
}

/** A config with SAELens's defaults for everything but the architecture and sizes. */
export function defaultSaeConfig(architecture: SaeArchitecture, dIn: number, dSae: number, k: number | null = null): SaeConfig {
  return {
    architecture,
    dIn,
    dSae,
    dtype: 'float32',
    device: 'cpu',
    applyBDecToInput: true,
    normalizeActivations: 'none',
    reshapeActivations: 'none',
    k: architecture === 'topk' ? k : null,
    rescaleActsByDecoderNorm: false,
    metadata: emptyMetadata(),
  }
}
