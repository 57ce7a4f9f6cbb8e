// What each "dead" number of the training panel measures. The chart counts latents silent for the last stretch of
// *training* tokens (the trainer's window, while the weights still move); the final line counts latents that never
// fire on a fresh sample after training (the density pass behind sparsity.safetensors). Both are standard, and they
// differ (a latent can fire once in the window and never on the sample), so each says which it is.
import { deadWindowTokens, type TrainingRunSettings } from '../../core/sae/trainingRunSettings.ts'

const tokens = (n: number) => `${n.toLocaleString('en-US')} tokens`

export interface DeadNotes {
  /** Under the dead-latents chart. */
  chart: string
  /** The final line's sample, and what "dead" means there. */
  finalSample: string
  finalDead: string
}

export function deadNotes(s: Pick<TrainingRunSettings, 'steps' | 'batchSize' | 'sparsityRows'>): DeadNotes {
  return {
    chart: `Dead: silent for the last ${tokens(deadWindowTokens(s))} of training`,
    finalSample: `on ${tokens(s.sparsityRows)} fresh after training`,
    finalDead: 'never fired on them',
  }
}
