// The statistical simulator for offline explanations: predicts each token's activation from the explanation's
// token pattern alone (no activations, no model), so its score measures how much of the feature the text captures.
import { normaliseToken, parsePattern, type TokenPattern } from './tokenPattern.ts'
import type { ActivationRecord } from './records.ts'

/** How far back a cue may sit: a few tokens, like a phrase ("Golden Arc Bridge"). */
export const CUE_WINDOW = 4
/** A firing token without its cue: the explanation says it should not fire, but it is the right token. */
const WITHOUT_CUE = 0.25

/** Per token of each record: 1 where the pattern says the feature fires, WITHOUT_CUE where the cue is missing, else 0. */
export function simulatePattern(pattern: TokenPattern, records: readonly Pick<ActivationRecord, 'tokens'>[]): number[][] {
  const fires = new Set(pattern.fires.map(normaliseToken))
  const after = new Set(pattern.after.map(normaliseToken))
  return records.map((r) => {
    const norm = r.tokens.map(normaliseToken)
    return norm.map((t, i) => {
      if (!fires.has(t)) return 0
      if (after.size === 0) return 1
      for (let k = Math.max(0, i - CUE_WINDOW); k < i; k++) if (after.has(norm[k]!)) return 1
      return WITHOUT_CUE
    })
  })
}

export const simulateText = (text: string, records: readonly Pick<ActivationRecord, 'tokens'>[]): number[][] => simulatePattern(parsePattern(text), records)
