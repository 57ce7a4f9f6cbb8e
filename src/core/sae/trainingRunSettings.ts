// The settings of one SAE training run as plain JSON (they travel in worker messages, live in IndexedDB and go into
// the exported zip), with defaults sized for a browser tab and validation with clear errors. No tfjs here: the
// main thread imports this file.
import { InvalidArgumentError } from '../errors.ts'
import { matryoshkaWidthsProblem } from './matryoshka.ts'
import { TRAIN_ARCHITECTURES, usesK, type TrainArchitecture } from './types.ts'

/** Where training tokens come from: TinyWorld's seeded generator, or the lines of an uploaded text file. */
export type TrainingCorpus = { kind: 'world'; seed: number } | { kind: 'text'; name: string; lines: string[] }

export interface TrainingRunSettings {
  /** TransformerLens hook name (any per-position hook of the model). */
  hook: string
  architecture: TrainArchitecture
  dSae: number
  /** standard: λ of the L1 penalty; jumprelu: λ of the L0 penalty; unused by topk/batchtopk. */
  l1Coefficient: number
  /** topk/batchtopk/matryoshka_batchtopk: latents per input. */
  k: number
  /** matryoshka_batchtopk: the nested prefix widths (ascending, the last = dSae); absent: defaultMatryoshkaWidths(dSae). */
  matryoshkaWidths?: number[]
  lr: number
  steps: number
  batchSize: number
  /** Seeds the initial weights and the shuffle buffer. */
  seed: number
  corpus: TrainingCorpus
  /** Tokens per window, BOS included. */
  contextSize: number
  /** Rows in the shuffle buffer. */
  bufferRows: number
  /** Rows for the normalisation constant's estimate. */
  normRows: number
  /** Measure CE loss recovered every this many steps (0: only at the end). */
  ceEvery: number
  /** Windows in the CE evaluation set. */
  ceWindows: number
  /** Rows of the final density pass (sparsity.safetensors). */
  sparsityRows: number
  /** Steps per log entry (a chart point). */
  logEvery: number
  /** Save a checkpoint to storage every this many steps. */
  checkpointEvery: number
}

/**
 * Defaults for the TinyWorld model (d_model 128) that finish in about a minute on tfjs-wasm in a browser tab:
 * ~150k training tokens, where the CLI's defaults use millions.
 */
export function defaultTrainingSettings(dIn: number, nCtx: number): TrainingRunSettings {
  return {
    hook: 'blocks.2.hook_resid_post', // TinyWorld's SAEs read the middle layer of its 4
    architecture: 'topk', // no λ to tune: L0 is exactly k from the first step, the easiest first run
    dSae: 4 * dIn, // 4×: small enough to train in a minute, big enough for TinyWorld's frequent concepts
    l1Coefficient: 5, // Anthropic's value for inputs normalised to E‖x‖ = √d_in
    k: 16,
    lr: 1e-3, // higher than SAELens's 3e-4: a few hundred steps instead of tens of thousands
    steps: 300,
    batchSize: 512, // a tfjs-wasm step stays near 20 ms at d_sae 512
    seed: 0,
    corpus: { kind: 'world', seed: 1 },
    contextSize: Math.min(nCtx, 64), // short windows: the model pass dominates harvesting, and its cost grows with length²
    bufferRows: 8192, // hundreds of windows mixed in every batch
    normRows: 4096,
    ceEvery: 100,
    ceWindows: 8,
    sparsityRows: 8192,
    logEvery: 10, // 30 chart points on a 300-step run
    checkpointEvery: 25, // a checkpoint of a 128→512 SAE is ~1.5 MB: cheap to write every few seconds
  }
}

/**
 * Training tokens a latent must stay silent for to count as dead in the run's log (the chart's "dead latents"):
 * a fifth of a short run is dead for that run (the trainer's 1M-token default never triggers in a browser). Here,
 * without tfjs, so the training panel labels the chart with the same number the trainer counts with.
 */
export function deadWindowTokens(s: Pick<TrainingRunSettings, 'steps' | 'batchSize'>): number {
  return Math.max(s.batchSize, Math.min(1_000_000, Math.floor((s.steps * s.batchSize) / 5)))
}

export function validateTrainingSettings(s: TrainingRunSettings): TrainingRunSettings {
  const problems: string[] = []
  const posInt = (name: keyof TrainingRunSettings, v: unknown) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) problems.push(`${name} must be a positive integer, got ${String(v)}`)
  }
  const nonNegInt = (name: keyof TrainingRunSettings, v: unknown) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) problems.push(`${name} must be a whole number ≥ 0, got ${String(v)}`)
  }
  if (!TRAIN_ARCHITECTURES.includes(s.architecture)) problems.push(`architecture must be one of ${TRAIN_ARCHITECTURES.join(', ')}, got "${String(s.architecture)}"`)
  if (typeof s.hook !== 'string' || s.hook === '') problems.push('a hook must be chosen')
  ;(['dSae', 'steps', 'batchSize', 'contextSize', 'bufferRows', 'normRows', 'ceWindows', 'sparsityRows', 'logEvery', 'checkpointEvery'] as const).forEach((n) => posInt(n, s[n]))
  ;(['seed', 'ceEvery'] as const).forEach((n) => nonNegInt(n, s[n]))
  if (!(typeof s.lr === 'number' && s.lr > 0 && Number.isFinite(s.lr))) problems.push(`lr must be a positive number, got ${String(s.lr)}`)
  if (!(typeof s.l1Coefficient === 'number' && s.l1Coefficient >= 0 && Number.isFinite(s.l1Coefficient))) problems.push(`λ must be a number ≥ 0, got ${String(s.l1Coefficient)}`)
  if (usesK(s.architecture) && !(s.k > 0 && s.k <= s.dSae && (s.architecture !== 'topk' || Number.isInteger(s.k)))) {
    problems.push(`k must be ${s.architecture === 'topk' ? 'an integer ' : ''}between 1 and d_sae (${s.dSae}), got ${String(s.k)}`)
  }
  if (s.matryoshkaWidths !== undefined) {
    if (s.architecture !== 'matryoshka_batchtopk') problems.push(`matryoshka widths apply to matryoshka_batchtopk only, not ${s.architecture}`)
    else {
      const problem = matryoshkaWidthsProblem(s.matryoshkaWidths, s.dSae)
      if (problem) problems.push(problem)
    }
  }
  if (s.corpus?.kind === 'world') nonNegInt('corpus' as keyof TrainingRunSettings, s.corpus.seed)
  else if (s.corpus?.kind === 'text') {
    if (!Array.isArray(s.corpus.lines) || !s.corpus.lines.some((l) => l.trim() !== '')) problems.push(`the text file ${s.corpus.name ?? ''} has no non-empty lines`)
  } else problems.push('corpus must be TinyWorld or a text file')
  if (problems.length > 0) throw new InvalidArgumentError(`Invalid training settings: ${problems.join('; ')}`)
  return s
}
