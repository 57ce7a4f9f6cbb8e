// An SAE's full TinyWorld concept evaluation, in one function that eval-sae (and anything else) calls: best single
// features (span concepts from their first cue on), recovery within each language, the probe ceiling each concept
// is measured against, feature families, absorption along the hierarchy, and random word-group controls.
import { absorption, featureFamilies, topFeatures, type AbsorptionScore, type FamilyScore } from './conceptFamilies.ts'
import { conceptProbeCeilings, REPRESENTED_AUROC, type ProbeCeiling } from './conceptProbes.ts'
import { recoveredInEveryLanguage, recoveryByLanguage, RECOVERED_AUROC, scoreConceptsWithStats, type ConceptScore, type GroundTruthReport, type LanguageRecovery, type SparseFeatureActs } from './groundTruth.ts'
import { randomWordGroups } from './pseudoConcepts.ts'
import { InvalidArgumentError } from '../errors.ts'

export interface CatalogueLike {
  concepts: readonly { id: number; name: string; kind: string; scope: 'word' | 'span'; parent: number | null }[]
  languages: readonly { concept: number }[]
}

export interface ConceptEvaluationInput {
  acts: SparseFeatureActs
  /** The activations the SAE encoded, [nTokens, dIn] row-major; null skips the probes (no ceilings). */
  x: Float32Array | null
  dIn: number
  labels: {
    concepts: readonly (readonly number[])[]
    unknowable: readonly (readonly number[])[]
    documents: readonly number[]
    tokenIds: readonly number[]
  }
  catalogue: CatalogueLike
  /** Which vocabulary ids are words (controls are drawn from them). */
  isWord: (tokenId: number) => boolean
  /** Seeds the controls. */
  controlSeed: number
  /** Largest feature family tried (default 10). */
  maxK?: number
  /**
   * Probe ceilings already computed for these activations and labels (they do not depend on the SAE: evaluating
   * several SAEs on one sample fits the probes once). Must come from `ceilings` of an evaluation of the same input.
   */
  ceilings?: ProbeCeiling[] | null
}

/** Where a concept sits in the hierarchy: it has children (animal), it has a parent only (cat), or neither. */
export type HierarchyLevel = 'parent' | 'child' | 'standalone'

export interface ConceptEvaluationScore extends ConceptScore {
  scope: 'word' | 'span'
  level: HierarchyLevel
  /** The probe ceiling (null without activations). */
  probe: Omit<ProbeCeiling, 'concept' | 'represented'> | null
  /** Transfer probe ≥ 0.95 in every language rotation (null without activations). */
  represented: boolean | null
  family: Pick<FamilyScore, 'features' | 'aurocByK' | 'smallestRecovering'> | null
  /** The best feature as a detector (active = fires > 0) over the concept's units. */
  precision: number | null
  recall: number | null
  falsePositiveRate: number | null
}

export interface RecoveryTally {
  group: string
  concepts: number
  represented: number | null
  /** Recovered by one feature (AUROC ≥ 0.95), among all / among the represented ones. */
  recovered: number
  recoveredOfRepresented: number | null
  /** Recovered by a family of at most maxK features (the sum of their activations), among the represented ones. */
  familyOfRepresented: number | null
}

export interface ControlScore {
  template: number
  templateName: string
  size: number
  heldOut: number | null
  transferMin: number | null
  bestFeature: number | null
  bestFeatureAuroc: number | null
  aurocByK: number[]
  smallestRecovering: number | null
}

export interface ConceptEvaluation extends Omit<GroundTruthReport, 'concepts'> {
  /** The probe results behind the ceilings (concepts, then controls), for reuse on the next SAE (not written out). */
  ceilingsUsed?: ProbeCeiling[] | null
  /** Span concepts are scored from their span's first cue word on (world/cues.ts). */
  cueLimited: true
  representedAuroc: number
  /** How the transfer probe's three rotations are combined before the 0.95 bar. */
  transferAggregate: 'min'
  /** How a feature family's activations are combined into one score. */
  familyUnion: 'sum'
  maxK: number
  concepts: ConceptEvaluationScore[]
  byLanguage: LanguageRecovery[]
  everyLanguage: ReturnType<typeof recoveredInEveryLanguage>
  /** Recovery over the non-language concepts: all of them, by scope and by hierarchy level. */
  tallies: RecoveryTally[]
  controls: ControlScore[]
  absorption: { pairs: (AbsorptionScore & { parentName: string; childName: string; languageName: string | null })[]; summary: AbsorptionSummary[] }
}

export interface AbsorptionSummary {
  /** 'concept' pairs: parent concept → child concept; 'language' pairs: a word concept → its words in one language. */
  kind: 'concept' | 'language'
  pairs: number
  meanParentSilent: number
  meanAbsorbed: number
  meanAbsorbedByFamily: number
}

/**
 * Precision a recovering feature must also reach to count as a *precise* recovery. AUROC rewards a feature that
 * fires on every occurrence however often it fires elsewhere (for these sparse features AUROC ≈ 0.5 + (recall −
 * false-positive rate)/2), so a dense feature "recovers" every concept it covers; at precision ≥ 0.5 at least half of
 * the feature's firings are on the concept.
 */
export const PRECISE_RECOVERY_PRECISION = 0.5

/** Recovered by one feature (AUROC ≥ 0.95) that is also precise (PRECISE_RECOVERY_PRECISION). */
export function recoveredPrecisely(s: Pick<ConceptEvaluationScore, 'recovered' | 'precision'>): boolean {
  return s.recovered && (s.precision ?? 0) >= PRECISE_RECOVERY_PRECISION
}

/**
 * The represented, scored non-language concepts of a tally group ('all', 'word', 'span', 'parent', 'child',
 * 'standalone'), as the evaluation's tallies count them. Languages are the concepts without a transfer probe.
 */
export function representedInGroup(truth: Pick<ConceptEvaluation, 'concepts'>, group: string): ConceptEvaluationScore[] {
  const languages = new Set(truth.concepts.filter((c) => c.probe !== null && c.probe.transferMin === null).map((c) => c.concept))
  const members = truth.concepts.filter((c) => c.auroc !== null && c.represented && !languages.has(c.concept))
  if (group === 'all') return members
  if (group === 'word' || group === 'span') return members.filter((c) => c.scope === group)
  return members.filter((c) => c.level === group)
}

const mean = (xs: readonly number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN)

export function evaluateConcepts(input: ConceptEvaluationInput): ConceptEvaluation {
  const { acts, x, dIn, labels, catalogue } = input
  const maxK = input.maxK ?? 10
  const nConcepts = catalogue.concepts.length
  const names = catalogue.concepts.map((c) => c.name)
  const wordConcepts = catalogue.concepts.filter((c) => c.scope === 'word').map((c) => c.id)
  const languages = catalogue.languages.map((l) => l.concept)
  const languageSet = new Set(languages)
  const { concepts, unknowable } = labels

  const { report, stats } = scoreConceptsWithStats(acts, concepts, { nConcepts, names, wordConcepts, unknowable })
  const byLanguage = recoveryByLanguage(acts, concepts, { nConcepts, languages, names, wordConcepts, unknowable })
  const families = featureFamilies(acts, concepts, stats, catalogue.concepts.map((c) => c.id), { wordConcepts, unknowable, maxK, aurocThreshold: RECOVERED_AUROC })

  // Controls: one random word group per word concept, shaped like it (controls get ids after the catalogue's).
  const languageOf = Int32Array.from(concepts, (set) => languages.findIndex((l) => set.includes(l)))
  const templates = wordConcepts.filter((c) => report.concepts[c]!.positives > 0)
  const control = randomWordGroups(labels.tokenIds, concepts, { templates, languageOf, isWord: input.isWord, seed: input.controlSeed })
  const controlIds = control.groups.map((_, g) => nConcepts + g)
  const withControls = concepts.map((set, t) => [...set, ...control.labels[t]!.map((g) => nConcepts + g)])
  const controlScores = scoreConceptsWithStats(acts, control.labels, { nConcepts: control.groups.length, wordConcepts: control.groups.map((_, g) => g) })
  const controlFamilies = featureFamilies(acts, control.labels, controlScores.stats, control.groups.map((_, g) => g), { wordConcepts: control.groups.map((_, g) => g), maxK, aurocThreshold: RECOVERED_AUROC })

  let ceilings: ProbeCeiling[] | null = input.ceilings ?? null
  if (ceilings && ceilings.length !== nConcepts + controlIds.length) throw new InvalidArgumentError(`Reused probe ceilings cover ${ceilings.length} targets, this evaluation has ${nConcepts + controlIds.length}`)
  if (x && !ceilings) {
    const targets = [...catalogue.concepts.map((c) => ({ concept: c.id, word: c.scope === 'word' })), ...controlIds.map((concept) => ({ concept, word: true }))]
    ceilings = conceptProbeCeilings({ x, dIn, concepts: withControls, unknowable, documents: labels.documents, targets, languages })
  }

  const hasChildren = new Set(catalogue.concepts.flatMap((c) => (c.parent === null ? [] : [c.parent])))
  const levelOf = (c: number): HierarchyLevel => (hasChildren.has(c) ? 'parent' : catalogue.concepts[c]!.parent !== null ? 'child' : 'standalone')
  const scores: ConceptEvaluationScore[] = report.concepts.map((s, c) => {
    const f = families[c]!
    const ceiling = ceilings?.[c] ?? null
    const { concept: _c, represented, ...probe } = ceiling ?? { concept: c, represented: null }
    return {
      ...s,
      scope: catalogue.concepts[c]!.scope,
      level: levelOf(c),
      probe: ceiling ? (probe as Omit<ProbeCeiling, 'concept' | 'represented'>) : null,
      represented: ceiling ? (represented as boolean) : null,
      family: f.features.length > 0 ? { features: f.features, aurocByK: f.aurocByK, smallestRecovering: f.smallestRecovering } : null,
      precision: f.precision,
      recall: f.recall,
      falsePositiveRate: f.falsePositiveRate,
    }
  })

  const tally = (group: string, members: ConceptEvaluationScore[]): RecoveryTally => {
    const scored = members.filter((m) => m.auroc !== null)
    const rep = ceilings ? scored.filter((m) => m.represented) : null
    return {
      group,
      concepts: scored.length,
      represented: rep ? rep.length : null,
      recovered: scored.filter((m) => m.recovered).length,
      recoveredOfRepresented: rep ? rep.filter((m) => m.recovered).length : null,
      familyOfRepresented: rep ? rep.filter((m) => m.family?.smallestRecovering != null).length : null,
    }
  }
  const nonLanguage = scores.filter((s) => !languageSet.has(s.concept))
  const tallies = [
    tally('all', nonLanguage),
    tally('word', nonLanguage.filter((s) => s.scope === 'word')),
    tally('span', nonLanguage.filter((s) => s.scope === 'span')),
    ...(['parent', 'child', 'standalone'] as const).map((level) => tally(level, nonLanguage.filter((s) => s.level === level))),
  ]

  const controls: ControlScore[] = control.groups.map((g, i) => {
    const s = controlScores.report.concepts[i]!
    const f = controlFamilies[i]!
    const ceiling = ceilings?.[nConcepts + i] ?? null
    return {
      template: g.template,
      templateName: names[g.template]!,
      size: g.ids.length,
      heldOut: ceiling?.heldOut ?? null,
      transferMin: ceiling?.transferMin ?? null,
      bestFeature: s.bestFeature,
      bestFeatureAuroc: s.auroc,
      aurocByK: f.aurocByK,
      smallestRecovering: f.smallestRecovering,
    }
  })

  // Absorption: every parent → child pair of the catalogue, and every word concept → its words in each language.
  const pairs = []
  for (const c of catalogue.concepts) {
    if (c.parent === null || languageSet.has(c.id)) continue
    const parentFeature = report.concepts[c.parent]!.bestFeature
    const childFeatures = topFeatures(stats, c.id, 5)
    if (parentFeature === null || childFeatures.length === 0 || report.concepts[c.id]!.auroc === null) continue
    pairs.push({ parent: c.parent, child: c.id, language: null, parentFeature, childFeatures })
  }
  for (const c of wordConcepts) {
    const parentFeature = report.concepts[c]!.bestFeature
    if (parentFeature === null) continue
    for (const lang of byLanguage) {
      const inLanguage = lang.concepts.find((k) => k.concept === c)
      if (!inLanguage || inLanguage.bestFeature === null) continue
      pairs.push({ parent: c, child: c, language: lang.language, parentFeature, childFeatures: [inLanguage.bestFeature] })
    }
  }
  const absorbed = absorption(acts, concepts, pairs, { wordConcepts, unknowable }).map((a) => ({
    ...a,
    parentName: names[a.parent]!,
    childName: names[a.child]!,
    languageName: a.language === null ? null : names[a.language]!,
  }))
  const summary = (['concept', 'language'] as const).map((kind): AbsorptionSummary => {
    const list = absorbed.filter((a) => (kind === 'concept') === (a.language === null) && a.occurrences > 0)
    return {
      kind,
      pairs: list.length,
      meanParentSilent: mean(list.map((a) => a.parentSilent)),
      meanAbsorbed: mean(list.map((a) => a.absorbed)),
      meanAbsorbedByFamily: mean(list.map((a) => a.absorbedByFamily)),
    }
  })

  const { concepts: _scores, ...head } = report
  return {
    ...head,
    cueLimited: true,
    representedAuroc: REPRESENTED_AUROC,
    transferAggregate: 'min',
    familyUnion: 'sum',
    maxK,
    concepts: scores,
    byLanguage,
    everyLanguage: recoveredInEveryLanguage(byLanguage),
    tallies,
    controls,
    absorption: { pairs: absorbed, summary },
    ceilingsUsed: ceilings,
  }
}
