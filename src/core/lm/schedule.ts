// Learning-rate schedule for language-model training: linear warm-up, then cosine decay to a floor.

export interface LrSchedule {
  peak: number
  warmupSteps: number
  totalSteps: number
  /** Final lr as a fraction of the peak (nanoGPT-style floor: 0.1 keeps late steps useful). */
  floorRatio: number
}

export function learningRateAt(step: number, s: LrSchedule): number {
  if (step < s.warmupSteps) return (s.peak * (step + 1)) / s.warmupSteps
  const progress = Math.min(1, (step - s.warmupSteps) / Math.max(1, s.totalSteps - s.warmupSteps))
  const floor = s.peak * s.floorRatio
  return floor + 0.5 * (s.peak - floor) * (1 + Math.cos(Math.PI * progress))
}
