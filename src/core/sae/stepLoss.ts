// The loss and gradients of one step for the trainer's architecture: the one switch shared by the trainer and by the
// threads that compute a shard of its batch (shards.ts), so both run exactly the same step.
import type * as tf from '@tensorflow/tfjs'
import { jumpReluLossAndGrads, penaltyShares, standardLossAndGrads, topkLossAndGrads, type LossAndGrads } from './gradients.ts'
import { matryoshkaLossAndGrads } from './matryoshkaGradients.ts'
import type { StepPlan } from './stepPlan.ts'
import type { SaeTrainerConfig } from './trainerConfig.ts'
import type { TrainParams } from './trainParams.ts'

export interface StepInputs {
  /** Already scheduled: λ for standard (L1) and jumprelu (L0); unused by the TopK family. */
  coefficient: number
  /** 0/1 [dSae] dead latents for AuxK, or null. */
  dead: tf.Tensor1D | null
  deadCount: number
  /** The sparse step's measurement (stepPlan.ts), or null for the dense step. */
  plan: StepPlan | null
}

/** Loss and gradients on x [n, dIn] (already input-scaled). Call inside tf.tidy. */
export function stepLossAndGrads(params: TrainParams, x: tf.Tensor2D, c: SaeTrainerConfig, s: StepInputs): LossAndGrads {
  const applyBDecToInput = c.applyBDecToInput
  switch (c.architecture) {
    case 'standard':
      return standardLossAndGrads(params, x, { l1: s.coefficient, applyBDecToInput, plan: s.plan, penalized: c.denseLatents > 0 ? penaltyShares(c.dSae, c.denseLatents, c.denseLatentPenalty) : null })
    case 'topk':
    case 'batchtopk':
      return topkLossAndGrads(params, x, {
        mode: c.architecture === 'topk' ? 'row' : 'batch',
        k: c.k,
        applyBDecToInput,
        dead: s.dead,
        deadCount: s.deadCount,
        kAux: c.kAux,
        auxCoefficient: c.auxKCoefficient,
        plan: s.plan,
      })
    case 'matryoshka_batchtopk':
      return matryoshkaLossAndGrads(params, x, {
        k: c.k,
        widths: c.matryoshkaWidths!, // resolveTrainerConfig sets and validates them for this architecture
        applyBDecToInput,
        dead: s.dead,
        deadCount: s.deadCount,
        kAux: c.kAux,
        auxCoefficient: c.auxKCoefficient,
      })
    case 'jumprelu':
      return jumpReluLossAndGrads(params, x, { l0: s.coefficient, bandwidth: c.jumpReluBandwidth, applyBDecToInput, plan: s.plan })
  }
}
