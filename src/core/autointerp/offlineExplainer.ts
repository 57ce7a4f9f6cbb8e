// Explanations with no LLM: the tokens a feature fires on and, when the examples show it matters, the token that
// precedes them ("«Bridge» after «Golden»"), written in the token-pattern grammar; on TinyWorld the planted
// concept is named when the feature really separates it. Deterministic: the same records give the same text.
import type { ExplanationRecord } from '../analysis/format.ts'
import { CUE_WINDOW, simulatePattern } from './tokenSimulator.ts'
import { formatPattern, normaliseToken, parsePattern, type TokenPattern } from './tokenPattern.ts'
import type { ActivationRecord, FeatureRecords } from './records.ts'
import { detectionScore, simulationScore } from './score.ts'

export const OFFLINE_EXPLAINER = 'monoscope-offline'
/** Bump when the rules below change: it is part of the cache key and of each stored explanation. */
export const OFFLINE_RULES_VERSION = 'tokens/1'

/** A token "fires" at half the record's peak or more: the tokens a reader of the dashboard would see highlighted. */
const FIRE_FRACTION = 0.5
/** Name tokens until they hold this share of the firing activation, and at most MAX_TOKENS of them. */
const MASS_COVERED = 0.8
const MAX_TOKENS = 4
/** A cue must precede most firing occurrences and few of the silent occurrences of the same tokens. */
const CUE_MIN_FIRING = 0.6
const CUE_MAX_SILENT = 0.3
/** The concept is named only when it really separates the feature (the app's labelling rule, issue #17). */
export const CONCEPT_LABEL_AUROC = 0.9

export interface ConceptMatch {
  name: string | null
  auroc: number
  /** The words that carry the concept (TinyWorld's catalogue, every language), when it is a word concept. */
  words?: readonly string[] | null
}

/** The token pattern of a feature's explain records. Empty `fires` when the feature never fires in them. */
export function explainPattern(records: readonly ActivationRecord[], concept: ConceptMatch | null): TokenPattern {
  const mass = new Map<string, { weight: number; shown: string }>()
  const firing: { record: number; at: number }[] = []
  records.forEach((r, ri) => {
    const peak = Math.max(0, ...r.activations)
    if (peak <= 0) return
    r.activations.forEach((v, at) => {
      if (v < FIRE_FRACTION * peak) return
      firing.push({ record: ri, at })
      const key = normaliseToken(r.tokens[at]!)
      const m = mass.get(key) ?? { weight: 0, shown: r.tokens[at]! }
      m.weight += v
      mass.set(key, m)
    })
  })
  const ranked = [...mass.entries()].sort((a, b) => b[1].weight - a[1].weight || (a[0] < b[0] ? -1 : 1))
  const total = ranked.reduce((s, [, m]) => s + m.weight, 0)
  const fires: string[] = []
  let covered = 0
  for (const [, m] of ranked) {
    if (fires.length >= MAX_TOKENS || (fires.length > 0 && covered >= MASS_COVERED * total)) break
    fires.push(m.shown)
    covered += m.weight
  }
  const named = concept !== null && concept.auroc >= CONCEPT_LABEL_AUROC ? (concept.name ?? null) : null
  return { fires, after: findCue(records, new Set(fires.map(normaliseToken))), concept: named }
}

/**
 * A token that precedes (within CUE_WINDOW) most firing occurrences of the named tokens but few of their silent
 * occurrences. Without silent occurrences there is no evidence that context matters, so no cue is named.
 */
function findCue(records: readonly ActivationRecord[], fires: ReadonlySet<string>): string[] {
  const onFiring = new Map<string, number>()
  const onSilent = new Map<string, number>()
  const shown = new Map<string, string>()
  let nFiring = 0
  let nSilent = 0
  for (const r of records) {
    const peak = Math.max(0, ...r.activations)
    const norm = r.tokens.map(normaliseToken)
    norm.forEach((t, at) => {
      if (!fires.has(t)) return
      const isFiring = peak > 0 && r.activations[at]! >= FIRE_FRACTION * peak
      const isSilent = r.activations[at]! === 0
      if (!isFiring && !isSilent) return
      const before = new Set<string>()
      for (let k = Math.max(0, at - CUE_WINDOW); k < at; k++) {
        if (fires.has(norm[k]!) || norm[k] === '') continue
        before.add(norm[k]!)
        if (!shown.has(norm[k]!)) shown.set(norm[k]!, r.tokens[k]!)
      }
      const counts = isFiring ? onFiring : onSilent
      if (isFiring) nFiring++
      else nSilent++
      for (const b of before) counts.set(b, (counts.get(b) ?? 0) + 1)
    })
  }
  if (nSilent === 0 || nFiring === 0) return []
  let best: string | null = null
  let bestRate = 0
  for (const [t, c] of onFiring) {
    const rate = c / nFiring
    const silent = (onSilent.get(t) ?? 0) / nSilent
    if (rate >= CUE_MIN_FIRING && silent <= CUE_MAX_SILENT && (rate > bestRate || (rate === bestRate && best !== null && t < best))) {
      best = t
      bestRate = rate
    }
  }
  return best === null ? [] : [shown.get(best)!]
}

/**
 * For a feature that separates a word concept: the tokens read off its examples (with their cue) plus the concept's
 * words in every language, except words its examples show silent (a multi-token name's first words, when the feature
 * fires on the last). Measured on the committed SAEs, adding the words raised concept features' held-out simulation
 * score (the examples show one or two languages; the feature also fires on the others'), and dropping the silent ones
 * raised it again.
 */
function bestPattern(records: FeatureRecords, concept: ConceptMatch | null): TokenPattern {
  const fromTokens = explainPattern(records.explain, concept)
  const words = concept?.words ?? []
  if (fromTokens.concept === null || words.length === 0 || fromTokens.fires.length === 0) return fromTokens
  const fired = new Set<string>()
  const silent = new Set<string>()
  for (const r of records.explain) r.tokens.forEach((t, i) => (r.activations[i]! > 0 ? fired : silent).add(normaliseToken(t)))
  const fires = new Map<string, string>()
  for (const t of fromTokens.fires) fires.set(normaliseToken(t), t)
  for (const w of words) {
    const key = normaliseToken(w)
    if (!fires.has(key) && (fired.has(key) || !silent.has(key))) fires.set(key, w)
  }
  return { fires: [...fires.values()], after: fromTokens.after, concept: fromTokens.concept }
}

/** The offline explanation of one feature, scored by the token simulator on its held-out top and random records. */
export function explainOffline(records: FeatureRecords, concept: ConceptMatch | null): ExplanationRecord | null {
  const pattern = bestPattern(records, concept)
  if (pattern.fires.length === 0) return null // a dead feature has nothing to explain
  return {
    text: formatPattern(pattern),
    method: pattern.concept === null ? 'tokens' : 'concept',
    ...scorePatternOffline(pattern, records),
    explainer: OFFLINE_EXPLAINER,
    prompt_version: OFFLINE_RULES_VERSION,
  }
}

/**
 * Simulation and detection scores of a token pattern by the token simulator, on the feature's held-out top and
 * random records (never its explain records); null when the feature has none.
 */
export function scorePatternOffline(pattern: TokenPattern, records: FeatureRecords): { score: number | null; detection: number | null } {
  const scoring = [...records.heldOutTop, ...records.random]
  if (scoring.length === 0) return { score: null, detection: null }
  const predicted = simulatePattern(pattern, scoring)
  return {
    score: round3(simulationScore(predicted, scoring)),
    detection: round3(detectionScore(predicted.map((row) => row.some((v) => v >= DETECT_AT)), scoring)),
  }
}

/** Any text (a user's edit) scored as the offline explanations are: only its «token» pattern counts, so prose scores 0. */
export const scoreTextOffline = (text: string, records: FeatureRecords): { score: number | null; detection: number | null } => scorePatternOffline(parsePattern(text), records)

/** Detection answers "yes" where the pattern predicts a firing token with its cue (a cue-less match is a "no"). */
const DETECT_AT = 0.5

const round3 = (x: number): number => Math.round(x * 1000) / 1000
