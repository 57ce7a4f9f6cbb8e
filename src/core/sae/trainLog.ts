// One training log entry from the trainer's window sums and latent counters: plain numbers, no tensors.
import type { TrainerState } from './checkpoint.ts'
import type { SaeTrainerConfig } from './trainerConfig.ts'
import { isBatchTopKFamily } from './types.ts'

/** One log entry: means over the steps since the previous entry. */
export interface TrainLogEntry {
  step: number
  tokens: number
  /** The whole loss (matryoshka_batchtopk: every nested level's MSE summed, plus AuxK). */
  loss: number
  /** The full dictionary's reconstruction MSE. */
  mse: number
  /** The sparsity term as it entered the loss (scheduled coefficient included); 0 for the k architectures. */
  sparsityLoss: number
  /** AuxK loss (topk, batchtopk, matryoshka_batchtopk). */
  auxLoss: number
  /** Mean latents active per input. */
  l0: number
  /** Σ‖x − x̂‖² / Σ‖x − x̄‖² over the window (per-batch means). */
  fvu: number
  /** Latents that have not fired for deadWindowTokens tokens. */
  deadFraction: number
  /** Latents firing on more than denseThreshold of the window's tokens. */
  denseFraction: number
  lr: number
  sparsityCoefficient: number
  /** Gradient norm before clipping. */
  gradNorm: number
  batchTopKThreshold: number | null
}

/** The entry for the window in `state`, given the window's fire counts and the tokens since each latent fired. */
export function logEntry(
  c: SaeTrainerConfig,
  state: TrainerState,
  windowFireCounts: ArrayLike<number>,
  tokensSinceFired: ArrayLike<number>,
  lr: number,
  sparsityCoefficient: number,
): TrainLogEntry {
  const w = state.window
  let fires = 0
  let dense = 0
  let dead = 0
  for (let i = 0; i < c.dSae; i++) {
    fires += windowFireCounts[i]!
    if (windowFireCounts[i]! / w.tokens > c.denseThreshold) dense++
    if (tokensSinceFired[i]! >= c.deadWindowTokens) dead++
  }
  return {
    step: state.step,
    tokens: state.tokensSeen,
    loss: w.loss / w.steps,
    mse: w.mse / w.steps,
    sparsityLoss: w.sparsity / w.steps,
    auxLoss: w.aux / w.steps,
    l0: fires / w.tokens,
    fvu: w.sst > 0 ? w.sse / w.sst : NaN,
    deadFraction: dead / c.dSae,
    denseFraction: dense / c.dSae,
    lr,
    sparsityCoefficient,
    gradNorm: w.gradNorm / w.steps,
    batchTopKThreshold: isBatchTopKFamily(c.architecture) ? state.batchTopKThreshold : null,
  }
}
