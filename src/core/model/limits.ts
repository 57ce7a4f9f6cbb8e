// Ceilings on what a model config may claim, named in one place and checked before anything is allocated: a config
// beyond them is a mistake or an attack (`"n_layer": 1e8` once ran 35 s and 2.5 GB before failing), not a model a
// browser tab can hold. Both engines' config readers use them.
export const MODEL_LIMITS = {
  vocabSize: 1_048_576,
  dModel: 65_536,
  nLayers: 1_024,
  nHeads: 1_024,
  headDim: 4_096,
  nCtx: 1_048_576,
  /** The MLP's hidden width (GPT-2's n_inner). */
  dMlp: 262_144,
  /** Parameters in all (8 GB in float32): each count within its ceiling can still multiply past what a tab holds. */
  parameters: 2_000_000_000,
  /**
   * The largest weight magnitude: published models run in float16, whose largest value is 65,504, so none holds a
   * weight near 1e6; a flipped exponent bit does (a GPT-2 weight of 0.02 became 3e38 and the logits infinite).
   */
  weightMagnitude: 1e6,
} as const

/** LayerNorm / RMSNorm epsilons outside this range are not a model's (1e-5 and 1e-6 are usual). */
export const NORM_EPS_RANGE = { min: 1e-12, max: 0.1 } as const

/**
 * The first weight that is not finite or beyond MODEL_LIMITS.weightMagnitude, as [flat index, value], or null: one such
 * value turns every logit downstream into NaN or infinity. Both engines' weight readers refuse on it.
 */
export function firstImplausibleWeight(data: ArrayLike<number>): [number, number] | null {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!
    if (!(Math.abs(v) <= MODEL_LIMITS.weightMagnitude)) return [i, v]
  }
  return null
}

/** The refusal's wording, shared by both engines: "holds 3e+38 at flat index 7; model weights must be finite, within ±1e6". */
export const implausibleWeightMessage = ([index, value]: [number, number]): string =>
  `holds ${value} at flat index ${index}; model weights must be finite, within ±${MODEL_LIMITS.weightMagnitude.toExponential()}`
