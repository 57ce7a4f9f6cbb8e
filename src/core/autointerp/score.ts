// Scoring an explanation, after Bills et al. (2023) and Paulo et al. (2024, "detection"): a simulator's per-token
// predictions are compared with the true activations on held-out records.
import { InvalidArgumentError } from '../errors.ts'
import type { ActivationRecord } from './records.ts'

/** Pearson correlation of two equal-length series; 0 when either is constant (a flat prediction explains nothing). */
export function pearson(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new InvalidArgumentError(`Correlation needs equal lengths, got ${a.length} and ${b.length}`)
  const n = a.length
  if (n < 2) return 0
  let ma = 0
  let mb = 0
  for (let i = 0; i < n; i++) {
    ma += a[i]!
    mb += b[i]!
  }
  ma /= n
  mb /= n
  let sab = 0
  let saa = 0
  let sbb = 0
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma
    const db = b[i]! - mb
    sab += da * db
    saa += da * da
    sbb += db * db
  }
  const r = sab / (Math.sqrt(saa) * Math.sqrt(sbb)) // product of roots: saa·sbb can underflow for tiny spreads
  return Number.isFinite(r) ? Math.max(-1, Math.min(1, r)) : 0
}

/**
 * Simulation score: the correlation, over every token of every record pooled ("all at once"), between the
 * simulator's predictions and the true activations. `predicted[r]` must have one value per token of record r.
 */
export function simulationScore(predicted: readonly (readonly number[])[], records: readonly ActivationRecord[]): number {
  if (predicted.length !== records.length) throw new InvalidArgumentError(`${predicted.length} predictions for ${records.length} records`)
  const p: number[] = []
  const t: number[] = []
  records.forEach((r, i) => {
    const row = predicted[i]!
    if (row.length !== r.tokens.length) throw new InvalidArgumentError(`Record ${i} has ${r.tokens.length} tokens but ${row.length} predictions`)
    p.push(...row)
    t.push(...r.activations)
  })
  return pearson(p, t)
}

/** Whether a record counts as activating for detection: any token above zero. */
export const recordActivates = (r: ActivationRecord): boolean => r.activations.some((v) => v > 0)

/**
 * Detection score: balanced accuracy of "does this record activate the feature?" answers (mean of the true-positive
 * and true-negative rates, so a detector answering all-yes or all-no scores 0.5). A class with no records counts as
 * fully right, so the score stays defined when every random record happens to activate.
 */
export function detectionScore(picked: readonly boolean[], records: readonly ActivationRecord[]): number {
  if (picked.length !== records.length) throw new InvalidArgumentError(`${picked.length} answers for ${records.length} records`)
  let pos = 0
  let neg = 0
  let tp = 0
  let tn = 0
  records.forEach((r, i) => {
    if (recordActivates(r)) {
      pos++
      if (picked[i]) tp++
    } else {
      neg++
      if (!picked[i]) tn++
    }
  })
  return ((pos ? tp / pos : 1) + (neg ? tn / neg : 1)) / 2
}
