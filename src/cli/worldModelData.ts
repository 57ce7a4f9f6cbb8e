// What build-world-model and its report share: the checkpointed training state and the held-out documents.
import type { EvalDocument } from '../core/lm/evaluate.ts'
import type { Gpt2Config } from '../core/model/config.ts'
import { sampleLabelled } from '../core/world/generator.ts'
import { EOT_ID } from '../core/world/world.ts'

export interface TrainState {
  seed: number
  config: Gpt2Config
  steps: number
  batch: number
  peakLr: number
  history: Array<{ step: number; loss: number; lr: number; gradNorm: number; elapsedS: number }>
  evals: Array<{ step: number; heldOutCe: number; forcedAccuracy: number }>
  elapsedS: number
}

/**
 * Held-out documents come from one fixed stream seed. Training rows use hashed 32-bit seeds of (seed, step, row),
 * so a row shares this stream with probability about rows / 2^32 (≈ 4e-6 for the committed model's 16,000 rows).
 */
export const HELD_OUT_SEED = 4_000_000_001

export function heldOutDocuments(nTokens: number, seed = HELD_OUT_SEED): EvalDocument[] {
  return sampleLabelled(seed, nTokens).map((r) => ({ ids: [EOT_ID, ...r.ids], forced: [false, ...r.forced] }))
}
