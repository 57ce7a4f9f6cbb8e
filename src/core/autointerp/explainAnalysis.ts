// Every feature of an analysis explained offline and scored, and the distribution of the scores: what
// `monoscope explain` and `npm run build:analysis` write into the committed analysis files.
import type { ExplanationRecord, FeatureAnalysisFile, FeatureRecord } from '../analysis/format.ts'
import { throwIfAborted } from '../analysis/cancel.ts'
import { explainOffline } from './offlineExplainer.ts'
import { parsePattern } from './tokenPattern.ts'
import { featureRecords } from './records.ts'

/** Replaces every feature's explanation by its offline one (dead features get none); user and LLM texts are kept. */
export function explainAllOffline(
  file: FeatureAnalysisFile,
  opts: {
    keep?: (e: ExplanationRecord) => boolean
    /** A word concept's words by concept id (TinyWorld's catalogue); null for span concepts or unknown ids. */
    conceptWords?: (conceptId: number) => readonly string[] | null
    signal?: AbortSignal
  } = {},
): FeatureAnalysisFile {
  const keep = opts.keep ?? ((e) => e.method === 'user' || e.method === 'llm')
  const features = file.features.map((f): FeatureRecord => {
    throwIfAborted(opts.signal)
    if (f.explanation && keep(f.explanation)) return f
    const concept = f.concept && { name: f.concept.name, auroc: f.concept.auroc, words: opts.conceptWords?.(f.concept.id) ?? null }
    return { ...f, explanation: explainOffline(featureRecords(f, file), concept) }
  })
  return { ...file, features }
}

export interface ScoreDistribution {
  n: number
  mean: number
  /** Quartiles and extremes: min, 25%, median, 75%, max. */
  quantiles: [number, number, number, number, number]
}

/** Linear-interpolated quantiles of a sample (type 7, as numpy's default). */
function distribution(values: readonly number[]): ScoreDistribution | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const at = (q: number) => {
    const h = (s.length - 1) * q
    const lo = Math.floor(h)
    return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!)
  }
  return { n: s.length, mean: s.reduce((a, v) => a + v, 0) / s.length, quantiles: [s[0]!, at(0.25), at(0.5), at(0.75), s[s.length - 1]!] }
}

export interface ExplanationReport {
  features: number
  explained: number
  simulation: ScoreDistribution | null
  detection: ScoreDistribution | null
  /** On TinyWorld: simulation scores of features that separate a planted concept (AUROC ≥ threshold) and of the rest. */
  byConcept: { threshold: number; matched: ScoreDistribution | null; rest: ScoreDistribution | null } | null
  /** On TinyWorld: simulation scores by the feature's best concept AUROC, in bands [lo, hi). */
  byAuroc: { lo: number; hi: number; simulation: ScoreDistribution | null }[] | null
  byMethod: Record<string, number>
  /**
   * On TinyWorld: the share of explained features with a chance-level concept AUROC (< 0.6) whose explanation names
   * a single token (alone or after a cue), and the mean density of the concept features (AUROC ≥ threshold) over
   * that of the rest. What the offline explainer can and cannot describe, measured on each build.
   */
  shape: { singleTokenAtChance: number | null; conceptDensityRatio: number | null } | null
}

export function explanationReport(file: Pick<FeatureAnalysisFile, 'features' | 'ground_truth'>, conceptThreshold = 0.9): ExplanationReport {
  const explained = file.features.filter((f) => f.explanation !== null)
  const sim = (fs: readonly FeatureRecord[]) => distribution(fs.flatMap((f) => (f.explanation?.score == null ? [] : [f.explanation.score])))
  const byMethod: Record<string, number> = {}
  for (const f of explained) byMethod[f.explanation!.method] = (byMethod[f.explanation!.method] ?? 0) + 1
  return {
    features: file.features.length,
    explained: explained.length,
    simulation: sim(explained),
    detection: distribution(explained.flatMap((f) => (f.explanation?.detection == null ? [] : [f.explanation.detection]))),
    byConcept: file.ground_truth
      ? {
          threshold: conceptThreshold,
          matched: sim(explained.filter((f) => (f.concept?.auroc ?? 0) >= conceptThreshold)),
          rest: sim(explained.filter((f) => (f.concept?.auroc ?? 0) < conceptThreshold)),
        }
      : null,
    byAuroc: file.ground_truth
      ? AUROC_BANDS.map(([lo, hi]) => ({ lo, hi, simulation: sim(explained.filter((f) => (f.concept?.auroc ?? 0) >= lo && (f.concept?.auroc ?? 0) < hi)) }))
      : null,
    byMethod,
    shape: file.ground_truth ? explanationShape(explained, conceptThreshold) : null,
  }
}

const meanOf = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, v) => a + v, 0) / xs.length)

function explanationShape(explained: readonly FeatureRecord[], conceptThreshold: number): NonNullable<ExplanationReport['shape']> {
  const auroc = (f: FeatureRecord) => f.concept?.auroc ?? 0
  const atChance = explained.filter((f) => auroc(f) < AUROC_BANDS[0]![1])
  const single = atChance.filter((f) => parsePattern(f.explanation!.text).fires.length === 1).length
  const concept = meanOf(explained.filter((f) => auroc(f) >= conceptThreshold).map((f) => f.density))
  const rest = meanOf(explained.filter((f) => auroc(f) < conceptThreshold).map((f) => f.density))
  return {
    singleTokenAtChance: atChance.length === 0 ? null : single / atChance.length,
    conceptDensityRatio: concept === null || rest === null || rest === 0 ? null : concept / rest,
  }
}

/** Chance (< 0.6), weak, good, and the concept-label threshold up: where token features and concept features sit. */
const AUROC_BANDS: readonly [number, number][] = [[0, 0.6], [0.6, 0.8], [0.8, 0.9], [0.9, 1.01]]

const fmt = (d: ScoreDistribution | null): string => (d === null ? 'none' : `n ${d.n}, mean ${d.mean.toFixed(3)}, min/25/50/75/max ${d.quantiles.map((q) => q.toFixed(2)).join(' / ')}`)

export function formatExplanationReport(r: ExplanationReport): string {
  const lines = [
    `explained ${r.explained} of ${r.features} features (${Object.entries(r.byMethod).map(([m, n]) => `${m} ${n}`).join(', ') || 'none'})`,
    `simulation score: ${fmt(r.simulation)}`,
    `detection score: ${fmt(r.detection)}`,
  ]
  if (r.byConcept) {
    lines.push(`simulation, features with concept AUROC >= ${r.byConcept.threshold}: ${fmt(r.byConcept.matched)}`)
    lines.push(`simulation, the rest: ${fmt(r.byConcept.rest)}`)
  }
  return lines.join('\n')
}
