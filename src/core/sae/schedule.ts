// The Scaling Monosemanticity schedules: the sparsity coefficient ramps up linearly from 0 over the first 5% of
// steps; the learning rate is constant, then decays linearly to 0 over the last 20%.

/** Learning rate for 0-based `step` of `totalSteps`: base until the last `decayFraction`, then linearly to 0. */
export function learningRateAt(step: number, totalSteps: number, base: number, decayFraction: number): number {
  const decaySteps = Math.round(totalSteps * decayFraction)
  const decayStart = totalSteps - decaySteps
  if (decaySteps <= 0 || step < decayStart) return base
  return (base * Math.max(0, totalSteps - step)) / decaySteps
}

/** Sparsity coefficient for 0-based `step`: 0 at step 0, rising linearly to base at `warmupFraction` of the run. */
export function sparsityCoefficientAt(step: number, totalSteps: number, base: number, warmupFraction: number): number {
  const warmupSteps = Math.round(totalSteps * warmupFraction)
  if (warmupSteps <= 0 || step >= warmupSteps) return base
  return (base * step) / warmupSteps
}
