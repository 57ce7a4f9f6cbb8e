// The trainer's settings: plain JSON (it travels inside checkpoints and worker messages), with defaults that say
// why they are what they are, and validation with clear errors.
import { InvalidArgumentError } from '../errors.ts'
import { INPUT_LIMITS } from '../limits.ts'
import { defaultMatryoshkaWidths, matryoshkaWidthsProblem } from './matryoshka.ts'
import { isBatchTopKFamily, TRAIN_ARCHITECTURES, type TrainArchitecture } from './types.ts'

export interface SaeTrainerConfig {
  architecture: TrainArchitecture
  dIn: number
  dSae: number
  /** Length of the run: the schedules (λ warm-up, lr decay) are fractions of it. */
  totalSteps: number
  lr: number
  /** standard: λ of λ Σᵢ fᵢ‖W_dec,i‖. */
  l1Coefficient: number
  /**
   * standard only: the first N latents are left out of the L1 term (a dense-latent allowance). A feature that is on
   * for every token of a span (a language, a topic) costs λ on every token under L1, so the penalty works against
   * it; these latents may fire densely. Inference is a plain ReLU SAE either way (SAELens's standard).
   */
  denseLatents: number
  /** The share of λ the dense latents still pay, in [0, 1): a little breaks the symmetry of a penalty-free subspace. */
  denseLatentPenalty: number
  /** topk: latents per input; batchtopk, matryoshka_batchtopk: mean latents per input over the batch. */
  k: number
  /**
   * matryoshka_batchtopk only (absent otherwise): nested prefix widths, strictly ascending, the last = dSae; each
   * prefix of the dictionary reconstructs the input on its own (SAELens's matryoshka_widths).
   */
  matryoshkaWidths?: number[]
  /** jumprelu: λ of the L0 penalty. */
  l0Coefficient: number
  jumpReluBandwidth: number
  jumpReluInitThreshold: number
  /** topk/batchtopk/matryoshka_batchtopk: weight of the AuxK loss. */
  auxKCoefficient: number
  /** topk/batchtopk: dead latents recruited per input by AuxK. */
  kAux: number
  /** A latent that has not fired for this many tokens is dead (logged; recruited by AuxK). */
  deadWindowTokens: number
  /** A latent firing on more than this fraction of a logging window's tokens is dense. */
  denseThreshold: number
  /** batchtopk: rate of the running estimate of the threshold saved for inference (SAELens's topk_threshold_lr). */
  batchTopKThresholdLr: number
  beta1: number
  beta2: number
  /** Passed to Adam explicitly: tfjs's own default differs between backends (1e-4 on WebGL, 1e-7 elsewhere). */
  epsilon: number
  maxGradNorm: number
  sparsityWarmupFraction: number
  lrDecayFraction: number
  applyBDecToInput: boolean
  decoderInitNorm: number
  /** Batches are multiplied by this before training (so that E‖x‖ = √d_in); folded into the weights on export. */
  inputScale: number
  seed: number
  /** Steps per log entry (the entry averages over them). */
  logEvery: number
  /** Steps between the in-memory checkpoints kept in case training diverges (0: only the pre-divergence state). */
  checkpointEvery: number
}

export type SaeTrainerOptions = Pick<SaeTrainerConfig, 'architecture' | 'dIn' | 'dSae' | 'totalSteps'> & Partial<SaeTrainerConfig>

/** Largest token count the dead-latent counters hold exactly (they are float32 so checkpoints stay float32). */
export const MAX_DEAD_WINDOW_TOKENS = 2 ** 24

export function resolveTrainerConfig(o: SaeTrainerOptions): SaeTrainerConfig {
  const c: SaeTrainerConfig = {
    lr: 3e-4, // SAELens's default; Anthropic's 5e-5 suits billion-token runs, not the browser's few million
    l1Coefficient: 5, // Anthropic's April 2024 value for inputs normalised to E‖x‖ = √d_in
    denseLatents: 0,
    denseLatentPenalty: 0,
    k: 32, // a common OpenAI/SAELens choice; L0 is exactly k
    l0Coefficient: 1, // SAELens's default for the JumpReLU L0 penalty
    jumpReluBandwidth: 0.05, // SAELens's default ε for the pseudo-derivative
    jumpReluInitThreshold: 0.01, // SAELens's default initial θ
    auxKCoefficient: 1 / 32, // OpenAI's α
    kAux: Math.max(1, Math.floor(o.dIn / 2)), // OpenAI's heuristic, as SAELens: d_in / 2
    deadWindowTokens: 1_000_000, // OpenAI uses 10M tokens on large runs; TinyWorld runs see a few million in all
    denseThreshold: 0.1, // firing on more than 1 token in 10 is "dense" in the density histograms
    batchTopKThresholdLr: 0.01, // SAELens's topk_threshold_lr
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8, // torch's Adam default
    maxGradNorm: 1,
    sparsityWarmupFraction: 0.05,
    lrDecayFraction: 0.2,
    applyBDecToInput: true, // SAELens's default, and Anthropic's
    decoderInitNorm: 0.1, // Anthropic's April 2024 update; SAELens's decoder_init_norm
    inputScale: 1,
    seed: 0,
    logEvery: 100,
    checkpointEvery: 1000, // a copy of params and moments to plain memory: a few ms every thousand steps
    ...o,
  }
  if (c.architecture === 'matryoshka_batchtopk' && c.matryoshkaWidths === undefined) c.matryoshkaWidths = defaultMatryoshkaWidths(c.dSae)
  validate(c)
  return c
}

function validate(c: SaeTrainerConfig): void {
  const problems: string[] = []
  // Checked first: an encoder of d_in × d_sae floats past the ceiling cannot be allocated (nor its Adam moments).
  if (c.dIn * c.dSae > INPUT_LIMITS.saeMatrixFloats) problems.push(`d_in × d_sae (${c.dIn} × ${c.dSae}) is over the ${INPUT_LIMITS.saeMatrixFloats}-float limit for one SAE matrix`)
  const posInt = (name: keyof SaeTrainerConfig) => {
    const v = c[name]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) problems.push(`${name} must be a positive integer, got ${String(v)}`)
  }
  const nonNegInt = (name: keyof SaeTrainerConfig) => {
    const v = c[name]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) problems.push(`${name} must be a non-negative integer, got ${String(v)}`)
  }
  const positive = (name: keyof SaeTrainerConfig) => {
    const v = c[name]
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) problems.push(`${name} must be a positive number, got ${String(v)}`)
  }
  const nonNegative = (name: keyof SaeTrainerConfig) => {
    const v = c[name]
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) problems.push(`${name} must be a non-negative number, got ${String(v)}`)
  }
  const fraction = (name: keyof SaeTrainerConfig, open = false) => {
    const v = c[name]
    if (typeof v !== 'number' || !(v >= 0 && (open ? v < 1 : v <= 1))) problems.push(`${name} must be in [0, 1${open ? ')' : ']'}, got ${String(v)}`)
  }
  if (!TRAIN_ARCHITECTURES.includes(c.architecture)) problems.push(`architecture must be one of ${TRAIN_ARCHITECTURES.join(', ')}, got ${String(c.architecture)}`)
  ;(['dIn', 'dSae', 'totalSteps', 'kAux', 'deadWindowTokens', 'logEvery'] as const).forEach(posInt)
  ;(['seed', 'checkpointEvery', 'denseLatents'] as const).forEach(nonNegInt)
  if (c.denseLatents > 0 && c.architecture !== 'standard') problems.push(`denseLatents applies to standard only (its L1 term), not ${String(c.architecture)}`)
  if (!(typeof c.denseLatentPenalty === 'number' && c.denseLatentPenalty >= 0 && c.denseLatentPenalty < 1)) problems.push(`denseLatentPenalty must be in [0, 1), got ${String(c.denseLatentPenalty)}`)
  if (c.denseLatents >= c.dSae) problems.push(`denseLatents must leave some of the ${c.dSae} latents penalised, got ${c.denseLatents}`)
  ;(['lr', 'epsilon', 'maxGradNorm', 'decoderInitNorm', 'inputScale', 'jumpReluBandwidth', 'jumpReluInitThreshold'] as const).forEach(positive)
  ;(['l1Coefficient', 'l0Coefficient', 'auxKCoefficient'] as const).forEach(nonNegative)
  ;(['beta1', 'beta2'] as const).forEach((n) => fraction(n, true))
  ;(['sparsityWarmupFraction', 'lrDecayFraction', 'denseThreshold', 'batchTopKThresholdLr'] as const).forEach((n) => fraction(n))
  if (typeof c.applyBDecToInput !== 'boolean') problems.push('applyBDecToInput must be a boolean')
  if (c.deadWindowTokens > MAX_DEAD_WINDOW_TOKENS) problems.push(`deadWindowTokens must be at most ${MAX_DEAD_WINDOW_TOKENS}, got ${c.deadWindowTokens}`)
  if (c.architecture === 'topk' && !(Number.isInteger(c.k) && c.k >= 1 && c.k <= c.dSae)) problems.push(`k must be an integer in [1, dSae], got ${c.k}`)
  if (isBatchTopKFamily(c.architecture) && !(c.k > 0 && c.k <= c.dSae)) problems.push(`k must be in (0, dSae], got ${c.k}`)
  if (c.architecture === 'matryoshka_batchtopk') {
    const problem = matryoshkaWidthsProblem(c.matryoshkaWidths, c.dSae)
    if (problem) problems.push(problem)
  } else if (c.matryoshkaWidths !== undefined) problems.push(`matryoshkaWidths apply to matryoshka_batchtopk only, not ${String(c.architecture)}`)
  if (problems.length > 0) throw new InvalidArgumentError(`Invalid SAE trainer settings: ${problems.join('; ')}`)
}
