// Which feature stands for a concept when steering: the one decision behind the app's presets, "add by concept",
// and what steer-eval measures. A concept's best *detector* (highest AUROC) often reads the concept's token rather
// than writing it (steer-eval: clamping the bridge detector repeats what follows "Bridge"), so the rule is:
//   1. the feature steer-eval chose for this SAE and concept (measured to steer, or to suppress, on its own seeds);
//   2. else a *writer*: a live feature whose top promoted tokens (direct logit effect) include the concept's tokens,
//      the earliest-ranked first — steer-eval's second candidate list;
//   3. else the best detector — steer-eval's first candidate list.
import type { FeatureSummaryRow } from '../analysis/featureFolder.ts'
import type { SteeringReport } from './steeringReport.ts'

export type ConceptFeatureSource = 'steer-eval' | 'writer' | 'detector'

export interface ConceptFeature {
  index: number
  source: ConceptFeatureSource
  /** For suppression chosen by steer-eval: the prompt it measured on (its continuations carry the concept). */
  prompt: string | null
}

export interface ConceptFeatureArgs {
  saeId: string
  concept: string
  /** Suppressing the concept (a negative clamp) rather than writing it. */
  suppress?: boolean
  report: SteeringReport | null
  /** The SAE's analysis summary rows (best concept with AUROC, top promoted ids). */
  rows: readonly Pick<FeatureSummaryRow, 'index' | 'max_act' | 'concept' | 'promoted'>[]
  /** Token ids that spell (or begin) the concept's words. */
  conceptTokens: ReadonlySet<number>
}

export function conceptSteeringFeature(args: ConceptFeatureArgs): ConceptFeature | null {
  const { rows, concept } = args
  const measured = args.report?.saes.find((s) => s.id === args.saeId)
  const chosen = args.suppress ? measured?.suppression.find((c) => c.concept === concept) : measured?.concepts.find((c) => c.concept === concept)
  if (chosen && (rows[chosen.feature]?.max_act ?? 0) > 0) return { index: chosen.feature, source: 'steer-eval', prompt: 'prompt' in chosen ? chosen.prompt : null }

  let writer: { index: number; rank: number; auroc: number } | null = null
  for (const row of rows) {
    if (!(row.max_act > 0)) continue
    const rank = row.promoted.findIndex((id) => args.conceptTokens.has(id))
    if (rank < 0) continue
    const auroc = row.concept?.name === concept ? row.concept.auroc : 0
    if (!writer || rank < writer.rank || (rank === writer.rank && auroc > writer.auroc)) writer = { index: row.index, rank, auroc }
  }
  if (writer) return { index: writer.index, source: 'writer', prompt: null }

  const detector = bestDetector(rows, concept)
  return detector === null ? null : { index: detector, source: 'detector', prompt: null }
}

/** The live feature whose best concept is `concept`, of highest AUROC (ties: lowest index), or null. */
export function bestDetector(rows: ConceptFeatureArgs['rows'], concept: string): number | null {
  let best: ConceptFeatureArgs['rows'][number] | null = null
  for (const row of rows) {
    if (row.concept?.name !== concept || !(row.max_act > 0)) continue
    if (!best || row.concept.auroc > best.concept!.auroc) best = row
  }
  return best?.index ?? null
}
