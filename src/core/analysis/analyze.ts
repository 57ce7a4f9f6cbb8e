// analyzeSae: one SAE's feature pages from a corpus — the streaming statistics pass, ground-truth concept
// matches (TinyWorld), logit effects and decoder neighbours — assembled into the feature-analysis file shape.
import { InvalidArgumentError } from '../errors.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { HookName } from '../model/hookNames.ts'
import { conceptFeatureStats, conceptFeatureStatsByUnit, RECOVERED_AUROC } from '../sae/groundTruth.ts'
import { matryoshkaWidthsOf } from '../sae/matryoshka.ts'
import type { Sae } from '../sae/sae.ts'
import type { TextTokenizer } from '../tokenizer/tokenizer.ts'
import { throwIfAborted } from './cancel.ts'
import type { ContextExample } from './contexts.ts'
import type { TokenWindow } from './encodeWindows.ts'
import { computeFeatureStats, type FeatureStatsOptions } from './featureStats.ts'
import { FEATURE_ANALYSIS_FORMAT, FEATURE_ANALYSIS_VERSION, type ExampleRecord, type FeatureAnalysisFile, type FeatureRecord } from './format.ts'
import { DEFAULT_HISTOGRAM, histogramBins } from './histogram.ts'
import { logitEffects, modelUnembedding, type LogitEffects } from './logitEffects.ts'
import { decoderNeighbours, type NeighbourList } from './neighbours.ts'
import { randomContexts } from './randomContexts.ts'
import { conceptCountsByBin } from './specificity.ts'

export interface AnalysisOptions extends FeatureStatsOptions {
  /** Promoted and suppressed tokens kept per feature. */
  logitK: number
  logitsThroughLnFinal: boolean
  logitsCenterVocab: boolean
  /** Neighbours kept per feature, in the SAE itself and in each other SAE. */
  neighbourK: number
  /** Significant digits kept for example values, logit effects and cosines in the file; null keeps float32 values. */
  significantDigits: number | null
  /** Random contexts (each contextBefore + 1 + contextAfter tokens) on which explanations are scored; 0 for none. */
  randomContexts: number
}

export const DEFAULT_ANALYSIS_OPTIONS: Readonly<AnalysisOptions> = Object.freeze({
  topK: 20, // Neuronpedia's and SAEDashboard's count of top activations
  contextBefore: 12, // a causal model's feature is explained by what precedes the token …
  contextAfter: 4, // … and a few tokens after show what it predicts
  quantiles: 10, // SAEDashboard's 10 quantile groups …
  perQuantile: 5, // … of 5 examples each
  histogram: DEFAULT_HISTOGRAM,
  seed: 0,
  windowsPerPass: 8, // ~1–2k tokens a forward pass at TinyWorld's context: a few MB of activations
  skipFirst: true, // windows start with BOS (SAELens's prepend_bos); SAEs are not trained on its outlier activation
  sampleContexts: 'auto',
  logitK: 10, // Neuronpedia shows 10 each way
  logitsThroughLnFinal: true,
  logitsCenterVocab: true,
  neighbourK: 10,
  randomContexts: 40, // Bills et al. score on 5 random texts a feature; 40 shared ones let features draw different 5
  significantDigits: 5, // enough to rank near-equal examples; float32's full 9-digit decimal form triples the file
})

export type AnalysisPhase = 'activations' | 'ground-truth' | 'logits' | 'neighbours'

/** Share of the overall progress per phase (the model pass dominates). */
const PHASE_WEIGHTS: Record<AnalysisPhase, number> = { activations: 0.8, 'ground-truth': 0.05, logits: 0.1, neighbours: 0.05 }
const PHASE_ORDER: AnalysisPhase[] = ['activations', 'ground-truth', 'logits', 'neighbours']

export interface AnalyzeSaeArgs {
  model: HookedModel
  modelId?: string | null
  sae: Sae
  /** The SAE's printed key, e.g. 'tinyworld/blocks.2.hook_resid_post/1024'. */
  saeId: string
  hook: HookName
  /** Token windows (BOS first when options.skipFirst), each within the model's context. */
  windows: readonly TokenWindow[]
  corpusDescription?: string
  /** Token strings for the file's vocab table; without one, `vocab` is null. */
  tokenizer?: Pick<TextTokenizer, 'decodeToken'> | null
  /** TinyWorld labels: each analysed token's concept ids, in window order (first positions skipped as the pass skips them). */
  labels?: { concepts: readonly (readonly number[])[]; names: readonly string[]; /** Concepts scored per occurrence (conceptFeatureStatsByUnit). */ wordConcepts?: readonly number[] } | null
  /** Other SAEs on the same hook, for cross-SAE neighbours (feature splitting). */
  others?: readonly { id: string; sae: Sae }[]
  options?: Partial<AnalysisOptions>
  onProgress?: (fraction: number, phase: AnalysisPhase) => void
  signal?: AbortSignal
}

export async function analyzeSae(args: AnalyzeSaeArgs): Promise<FeatureAnalysisFile> {
  const o: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, ...args.options }
  const { model, sae, hook, windows, signal } = args
  throwIfAborted(signal)
  const round = rounder(o.significantDigits)
  const others = args.others ?? []
  for (const other of others) {
    const otherHook = other.sae.config.metadata.hookName
    if (other.sae.config.dIn !== sae.config.dIn || (otherHook !== null && otherHook !== hook)) {
      throw new InvalidArgumentError(`SAE ${other.id} is not on ${hook}: neighbours across SAEs need the same hook`)
    }
  }
  const nTokens = windows.reduce((a, w) => a + Math.max(0, w.length - (o.skipFirst ? 1 : 0)), 0)
  if (args.labels && args.labels.concepts.length !== nTokens) {
    throw new InvalidArgumentError(`Concept labels for ${args.labels.concepts.length} tokens, but the windows hold ${nTokens} analysed tokens`)
  }
  const progress = (phase: AnalysisPhase) => {
    const before = PHASE_ORDER.slice(0, PHASE_ORDER.indexOf(phase)).reduce((a, p) => a + PHASE_WEIGHTS[p], 0)
    return (f: number) => args.onProgress?.(before + PHASE_WEIGHTS[phase] * f, phase)
  }

  const stats = await computeFeatureStats({ model, sae, hook, windows, options: o, collectSparse: !!args.labels, onProgress: progress('activations'), signal })
  throwIfAborted(signal)

  const bins = histogramBins(o.histogram)
  let concepts: (FeatureRecord['concept'])[] | null = null
  let conceptCounts: (Int32Array | null)[] | null = null
  if (args.labels && stats.sparse) {
    concepts = bestConcepts(stats.sparse, args.labels, stats.activeCounts)
    conceptCounts = conceptCountsByBin(stats.sparse, args.labels.concepts, concepts.map((c) => c?.id ?? null), bins)
    progress('ground-truth')(1)
  }
  const logits = sae.config.dIn === model.config.dModel && o.logitK > 0 && model.unembedding() !== null
    ? await logitEffects(sae.weights.wDec, modelUnembedding(model), { k: o.logitK, throughLnFinal: o.logitsThroughLnFinal, centerVocab: o.logitsCenterVocab }, { onProgress: progress('logits'), signal })
    : null // an SAE on mlp.hook_post writes through W_out first: no direct unembedding of its decoder
  const neighbours = o.neighbourK > 0
    ? await decoderNeighbours({ id: args.saeId, wDec: sae.weights.wDec }, others.map((s) => ({ id: s.id, wDec: s.sae.weights.wDec })), { k: o.neighbourK, onProgress: progress('neighbours'), signal })
    : []
  const random = await randomContexts({ model, sae, hook, windows, n: o.randomContexts, length: o.contextBefore + 1 + o.contextAfter, skipFirst: o.skipFirst, seed: o.seed, windowsPerPass: o.windowsPerPass, round })
  throwIfAborted(signal)
  args.onProgress?.(1, 'neighbours')

  const tokenizer = args.tokenizer ?? null
  const vocab = tokenizer ? Array.from({ length: model.config.vocabSize }, (_, id) => tokenizer.decodeToken(id)) : null
  const widths = matryoshkaWidthsOf(sae.config.metadata.extra, sae.config.dSae)
  const features: FeatureRecord[] = []
  for (let j = 0; j < stats.dSae; j++) {
    const maxAct = stats.maxActs[j]!
    features.push({
      index: j,
      density: stats.nTokens > 0 ? stats.activeCounts[j]! / stats.nTokens : 0,
      active_tokens: stats.activeCounts[j]!,
      max_act: maxAct,
      top_examples: stats.topExamples[j]!.map((e) => example(e, round)),
      quantile_examples: stats.quantiles[j]!.map((q) => ({ lo: q.lo, hi: q.hi, count: q.count, fraction: q.fraction, examples: q.examples.map((e) => example(e, round)) })),
      histogram: histogramRecord(stats.histogramCounts.subarray(j * bins.nBins, (j + 1) * bins.nBins), bins, maxAct, conceptCounts ? conceptCounts[j]! : undefined),
      logits: logits ? logitRecord(logits, j, round) : null,
      neighbours: neighbours.map((n) => neighbourRecord(n, j, round)),
      concept: concepts ? concepts[j]! : null,
      explanation: null,
      random_values: random.values[j]!,
    })
  }
  return {
    format: FEATURE_ANALYSIS_FORMAT,
    version: FEATURE_ANALYSIS_VERSION,
    activation_scale: 'decoder_norm',
    sae: { id: args.saeId, architecture: sae.config.architecture, d_in: sae.config.dIn, d_sae: sae.config.dSae, hook_name: hook, ...(widths ? { matryoshka_widths: widths } : {}) },
    model: { id: args.modelId ?? null, vocab_size: model.config.vocabSize, d_model: model.config.dModel },
    corpus: { description: args.corpusDescription ?? '', windows: windows.length, tokens: stats.nTokens, skip_first: o.skipFirst },
    settings: {
      top_k: o.topK,
      context_before: o.contextBefore,
      context_after: o.contextAfter,
      quantiles: o.quantiles,
      per_quantile: o.perQuantile,
      histogram: { min: o.histogram.min, max: o.histogram.max, bins_per_decade: o.histogram.binsPerDecade },
      logit_k: logits?.k ?? 0,
      logits_through_ln_final: o.logitsThroughLnFinal,
      logits_center_vocab: o.logitsCenterVocab,
      neighbour_k: o.neighbourK,
      seed: o.seed,
      significant_digits: o.significantDigits,
    },
    vocab,
    ground_truth: args.labels ? { concepts: [...args.labels.names], recovered_auroc: RECOVERED_AUROC } : null,
    random_contexts: random.contexts,
    features,
  }
}

type Round = (x: number) => number

function rounder(digits: number | null): Round {
  if (digits === null) return (x) => x
  if (!(Number.isInteger(digits) && digits >= 1 && digits <= 17)) throw new InvalidArgumentError(`significantDigits must be an integer in [1, 17] or null, got ${digits}`)
  return (x) => Number(x.toPrecision(digits))
}

function example(e: ContextExample, round: Round): ExampleRecord {
  return { window: e.window, position: e.position, token_index: e.position - e.start, token_ids: e.tokenIds, values: e.values.map(round), value: round(e.value) }
}

/**
 * The populated bins only; the top edge is the feature's max activation (JSON has no infinity). `conceptCounts`
 * (full bins, aligned with `counts`) is cut to the same range; undefined leaves the field out (no labels).
 */
function histogramRecord(counts: Int32Array, bins: ReturnType<typeof histogramBins>, maxAct: number, conceptCounts?: Int32Array | null): FeatureRecord['histogram'] {
  const withConcept = (first: number, end: number) => (conceptCounts === undefined ? {} : { concept_counts: conceptCounts && Array.from(conceptCounts.subarray(first, end)) })
  let first = 0
  let last = counts.length - 1
  while (first <= last && counts[first] === 0) first++
  while (last >= first && counts[last] === 0) last--
  if (first > last) return { edges: [], counts: [], ...withConcept(0, 0) }
  const edges: number[] = []
  for (let b = first; b <= last; b++) edges.push(bins.lowerEdge(b))
  edges.push(Math.max(Math.min(bins.upperEdge(last), maxAct), edges[edges.length - 1]!))
  return { edges, counts: Array.from(counts.subarray(first, last + 1)), ...withConcept(first, last + 1) }
}

function logitRecord(l: LogitEffects, j: number, round: Round): NonNullable<FeatureRecord['logits']> {
  const list = (ids: Int32Array, values: Float32Array) => ({ ids: Array.from(ids.subarray(j * l.k, (j + 1) * l.k)), values: Array.from(values.subarray(j * l.k, (j + 1) * l.k), round) })
  return { promoted: list(l.promotedIds, l.promotedValues), suppressed: list(l.suppressedIds, l.suppressedValues) }
}

function neighbourRecord(n: NeighbourList, j: number, round: Round): FeatureRecord['neighbours'][number] {
  return { sae_id: n.saeId, indices: Array.from(n.indices.subarray(j * n.k, (j + 1) * n.k)), cosines: Array.from(n.cosines.subarray(j * n.k, (j + 1) * n.k), round) }
}

/** Each live feature's concept of highest AUROC (ties: lowest id); null for dead features or without defined AUROCs. */
function bestConcepts(
  sparse: Parameters<typeof conceptFeatureStats>[0],
  labels: NonNullable<AnalyzeSaeArgs['labels']>,
  activeCounts: Float64Array,
): FeatureRecord['concept'][] {
  const nConcepts = labels.names.length
  const s = conceptFeatureStatsByUnit(sparse, labels.concepts, nConcepts, labels.wordConcepts ?? [])
  return Array.from({ length: s.dSae }, (_, j) => {
    if (activeCounts[j] === 0) return null
    let best = -1
    for (let c = 0; c < nConcepts; c++) {
      const a = s.auroc[c * s.dSae + j]!
      if (!Number.isNaN(a) && (best < 0 || a > s.auroc[best * s.dSae + j]!)) best = c
    }
    if (best < 0) return null
    const k = best * s.dSae + j
    return { id: best, name: labels.names[best] ?? null, auroc: s.auroc[k]!, f1: s.f1[k]! }
  })
}
