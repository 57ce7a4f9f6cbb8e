// The feature-analysis file: one SAE's feature pages (close to Neuronpedia's) and the feature-map file (a UMAP
// layout of one or several SAEs), as zod schemas that are the single source of their TypeScript types. Keys are
// snake_case, as in the ecosystem's files. FORMAT.md documents both; bump the version on any breaking change.
import { z } from 'zod'
import { MonoscopeError } from '../errors.ts'
import { describeValue } from '../formats/safeJson.ts'
import { randomContextSchema, randomValuesSchema } from './randomContexts.ts'
import { matryoshkaWidthsProblem } from '../sae/matryoshka.ts'

export const FEATURE_ANALYSIS_FORMAT = 'monoscope.feature-analysis'
export const FEATURE_MAP_FORMAT = 'monoscope.feature-map'
export const FEATURE_ANALYSIS_VERSION = 1
/** 2 added `links` (splitting families); version 1 files are still read, with no links. */
export const FEATURE_MAP_VERSION = 2

/** A malformed or unsupported analysis or map file; the message names the first offending field. */
export class AnalysisFormatError extends MonoscopeError {
  constructor(message: string) {
    super('ANALYSIS_FORMAT', message)
  }
}

const count = z.number().int().nonnegative()
const finite = z.number().finite()
const nonNegative = finite.nonnegative()

const exampleSchema = z
  .strictObject({
    window: count,
    position: count,
    token_index: count,
    token_ids: z.array(count).min(1),
    values: z.array(finite),
    value: finite,
  })
  .superRefine((e, ctx) => {
    if (e.values.length !== e.token_ids.length) ctx.addIssue({ code: 'custom', path: ['values'], message: `has ${e.values.length} entries for ${e.token_ids.length} tokens` })
    if (e.token_index >= e.token_ids.length) ctx.addIssue({ code: 'custom', path: ['token_index'], message: `${e.token_index} is past the ${e.token_ids.length} context tokens` })
  })

const tokenListSchema = z
  .strictObject({ ids: z.array(count), values: z.array(finite) })
  .superRefine((l, ctx) => {
    if (l.values.length !== l.ids.length) ctx.addIssue({ code: 'custom', path: ['values'], message: `has ${l.values.length} entries for ${l.ids.length} ids` })
  })

const neighbourListSchema = z
  .strictObject({ sae_id: z.string().min(1), indices: z.array(count), cosines: z.array(finite.min(-1.001).max(1.001)) })
  .superRefine((l, ctx) => {
    if (l.cosines.length !== l.indices.length) ctx.addIssue({ code: 'custom', path: ['cosines'], message: `has ${l.cosines.length} entries for ${l.indices.length} indices` })
  })

/**
 * A feature's explanation. `score` is the simulation score (correlation of simulated and true activations on
 * held-out top and random contexts); the optional fields came with auto-interp (#16) and are absent before it.
 */
export const explanationSchema = z.strictObject({
  text: z.string(),
  /** How it was made: 'tokens' (offline token pattern), 'concept' (TinyWorld ground truth), 'llm' or 'user'. */
  method: z.string(),
  score: finite.min(-1).max(1).nullable(),
  /** Detection score: balanced accuracy of picking the activating contexts from the explanation. */
  detection: finite.min(0).max(1).nullable().optional(),
  /** Who explained and scored: e.g. 'monoscope-offline/1' or an LLM's model name. */
  explainer: z.string().optional(),
  /** The prompt or rule version, part of the cache key. */
  prompt_version: z.string().optional(),
})

const featureSchema = z
  .strictObject({
    index: count,
    /** Fraction of analysed tokens where the feature is active (Neuronpedia's frac_nonzero). */
    density: nonNegative.max(1),
    active_tokens: count,
    max_act: nonNegative,
    top_examples: z.array(exampleSchema),
    quantile_examples: z.array(z.strictObject({ lo: nonNegative, hi: nonNegative, count, fraction: nonNegative.max(1), examples: z.array(exampleSchema) })),
    histogram: z
      .strictObject({
        edges: z.array(nonNegative),
        counts: z.array(count),
        /**
         * Specificity: per bin, the tokens that carry the feature's best `concept` (TinyWorld). Null without a
         * concept; absent in files written before it existed, which is why it is optional rather than a version bump.
         */
        concept_counts: z.array(count).nullable().optional(),
      })
      .superRefine((h, ctx) => {
        if (h.edges.length !== (h.counts.length === 0 ? 0 : h.counts.length + 1)) ctx.addIssue({ code: 'custom', path: ['edges'], message: 'needs one more edge than counts (none when empty)' })
        const cc = h.concept_counts
        if (cc && cc.length !== h.counts.length) ctx.addIssue({ code: 'custom', path: ['concept_counts'], message: `has ${cc.length} entries for ${h.counts.length} bins` })
        else if (cc && cc.some((c, i) => c > h.counts[i]!)) ctx.addIssue({ code: 'custom', path: ['concept_counts'], message: 'exceeds the bin count' })
      }),
    logits: z.strictObject({ promoted: tokenListSchema, suppressed: tokenListSchema }).nullable(),
    neighbours: z.array(neighbourListSchema),
    concept: z.strictObject({ id: count, name: z.string().nullable(), auroc: finite.min(0).max(1), f1: finite.min(0).max(1) }).nullable(),
    /** Automated interpretability's output; null until explained. */
    explanation: explanationSchema.nullable(),
    /** Nonzero activations on the file's `random_contexts` (optional: absent in files written before them). */
    random_values: randomValuesSchema.optional(),
  })

const histogramSpecSchema = z.strictObject({ min: finite.positive(), max: finite.positive(), bins_per_decade: z.number().int().positive() })

export const featureAnalysisSchema = z
  .strictObject({
    format: z.literal(FEATURE_ANALYSIS_FORMAT),
    version: z.literal(FEATURE_ANALYSIS_VERSION),
    /** fᵢ·‖W_dec,i‖: every activation, max, histogram and sample in the file is in this scale. */
    activation_scale: z.literal('decoder_norm'),
    sae: z
      .strictObject({
        id: z.string().min(1),
        architecture: z.string(),
        d_in: count,
        d_sae: count,
        hook_name: z.string().min(1),
        /** A Matryoshka SAE's nested prefix widths (its cfg.json's monoscope_matryoshka_widths); absent for others. */
        matryoshka_widths: z.array(count).optional(),
      })
      .superRefine((s, ctx) => {
        // Checked here, once: the feature-summary schema (featureFolder.ts) reuses this header.
        const problem = s.matryoshka_widths && matryoshkaWidthsProblem(s.matryoshka_widths, s.d_sae)
        if (problem) ctx.addIssue({ code: 'custom', path: ['matryoshka_widths'], message: problem })
      }),
    model: z.strictObject({ id: z.string().nullable(), vocab_size: count, d_model: count }),
    corpus: z.strictObject({ description: z.string(), windows: count, tokens: count, skip_first: z.boolean() }),
    settings: z.strictObject({
      top_k: count,
      context_before: count,
      context_after: count,
      quantiles: count,
      per_quantile: count,
      histogram: histogramSpecSchema,
      logit_k: count,
      logits_through_ln_final: z.boolean(),
      logits_center_vocab: z.boolean(),
      neighbour_k: count,
      seed: z.number().int(),
      /** Example values, logit effects and cosines are rounded to this many significant digits (null: float32 as is). */
      significant_digits: z.number().int().min(1).max(17).nullable(),
    }),
    /** Every token's string by id (the tokenizer's decodeToken), for examples and logit effects; null without a tokenizer. */
    vocab: z.array(z.string()).nullable(),
    ground_truth: z.strictObject({ concepts: z.array(z.string()), recovered_auroc: finite }).nullable(),
    /** Random contexts shared by all features, for scoring explanations (optional: absent in older files). */
    random_contexts: z.array(randomContextSchema).optional(),
    features: z.array(featureSchema),
  })
  .superRefine((f, ctx) => {
    if (f.vocab && f.vocab.length !== f.model.vocab_size) ctx.addIssue({ code: 'custom', path: ['vocab'], message: `has ${f.vocab.length} strings for a vocabulary of ${f.model.vocab_size}` })
    const seen = new Set<number>()
    const pool = f.random_contexts ?? []
    f.features.forEach((feat, i) => {
      const bad = randomValuesProblem(feat.random_values, pool)
      if (bad) ctx.addIssue({ code: 'custom', path: ['features', i, 'random_values'], message: bad })
      if (feat.index >= f.sae.d_sae) ctx.addIssue({ code: 'custom', path: ['features', i, 'index'], message: `${feat.index} is outside d_sae ${f.sae.d_sae}` })
      if (seen.has(feat.index)) ctx.addIssue({ code: 'custom', path: ['features', i, 'index'], message: `feature ${feat.index} appears twice` })
      seen.add(feat.index)
    })
  })

/** Why a feature's sparse random values do not fit the file's random contexts, or null when they do. */
export function randomValuesProblem(values: z.infer<typeof randomValuesSchema> | undefined, pool: readonly { token_ids: readonly number[] }[]): string | null {
  if (!values) return null
  for (let i = 0; i < values.context.length; i++) {
    const c = pool[values.context[i]!]
    if (!c) return `context ${values.context[i]} is past the ${pool.length} random contexts`
    if (values.offset[i]! >= c.token_ids.length) return `offset ${values.offset[i]} is past context ${values.context[i]}'s ${c.token_ids.length} tokens`
  }
  return null
}

export type FeatureAnalysisFile = z.infer<typeof featureAnalysisSchema>
export type FeatureRecord = FeatureAnalysisFile['features'][number]
export type ExampleRecord = FeatureRecord['top_examples'][number]
export type ExplanationRecord = z.infer<typeof explanationSchema>

export const featureMapSchema = z
  .strictObject({
    format: z.literal(FEATURE_MAP_FORMAT),
    version: z.union([z.literal(1), z.literal(FEATURE_MAP_VERSION)]),
    metric: z.literal('cosine'),
    hook_name: z.string().nullable(),
    saes: z.array(z.strictObject({ id: z.string().min(1), d_sae: count })).min(1),
    seed: z.number().int(),
    n_neighbors: count,
    min_dist: nonNegative,
    points: z.strictObject({ x: z.array(finite), y: z.array(finite), sae: z.array(count), index: z.array(count) }),
    /**
     * Splitting families (version 2): point `from[i]` (a feature of a larger SAE) → point `to[i]`, its nearest
     * decoder direction in the next-smaller SAE of the map, with that `cosine`. Empty for a one-SAE map.
     */
    links: z.strictObject({ from: z.array(count), to: z.array(count), cosine: z.array(finite.min(-1.001).max(1.001)) }).optional(),
  })
  .superRefine((m, ctx) => {
    const n = m.points.x.length
    if (m.version >= 2 && !m.links) ctx.addIssue({ code: 'custom', path: ['links'], message: 'is required from version 2' })
    if (m.links) {
      for (const key of ['to', 'cosine'] as const) {
        if (m.links[key].length !== m.links.from.length) ctx.addIssue({ code: 'custom', path: ['links', key], message: `has ${m.links[key].length} entries for ${m.links.from.length} links` })
      }
      const far = [...m.links.from, ...m.links.to].find((p) => p >= n)
      if (far !== undefined) ctx.addIssue({ code: 'custom', path: ['links'], message: `point ${far} is past the ${n} points` })
    }
    for (const key of ['y', 'sae', 'index'] as const) {
      if (m.points[key].length !== n) ctx.addIssue({ code: 'custom', path: ['points', key], message: `has ${m.points[key].length} entries for ${n} points` })
    }
    m.points.sae.forEach((s, i) => {
      // Zod runs this refinement even when `count` has already failed (s = -1), so look the SAE up defensively.
      const sae = m.saes[s]
      if (sae === undefined) ctx.addIssue({ code: 'custom', path: ['points', 'sae', i], message: `${s} names no SAE (there are ${m.saes.length})` })
      else if ((m.points.index[i] ?? 0) >= sae.d_sae) ctx.addIssue({ code: 'custom', path: ['points', 'index', i], message: `${m.points.index[i]} is outside d_sae ${sae.d_sae}` })
    })
  })

export type FeatureMapFile = z.infer<typeof featureMapSchema>

/** `features[3].top_examples[0].values` */
function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`
  return out || '(root)'
}

function parseWith<T>(schema: z.ZodType<T>, json: unknown, what: string, format: string, version: number): T {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new AnalysisFormatError(`A ${what} file must be a JSON object`)
  const head = json as { format?: unknown; version?: unknown }
  if (head.format !== format) throw new AnalysisFormatError(`Not a ${what} file: "format" is ${describeValue(head.format)}, expected "${format}"`)
  if (typeof head.version === 'number' && head.version > version) {
    throw new AnalysisFormatError(`This ${what} file is version ${head.version}; this Monoscope reads version ${version}: update Monoscope or re-run the analysis`)
  }
  const parsed = schema.safeParse(json)
  if (parsed.success) return parsed.data
  const [first, ...rest] = parsed.error.issues
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : ''
  throw new AnalysisFormatError(`Malformed ${what} file: ${formatPath(first!.path)}: ${first!.message}${more}`)
}

/** Validates a parsed feature-analysis JSON; throws AnalysisFormatError naming the first bad field. */
export function parseFeatureAnalysis(json: unknown): FeatureAnalysisFile {
  return parseWith(featureAnalysisSchema, json, 'feature-analysis', FEATURE_ANALYSIS_FORMAT, FEATURE_ANALYSIS_VERSION)
}

export function parseFeatureMap(json: unknown): FeatureMapFile {
  return parseWith(featureMapSchema, json, 'feature-map', FEATURE_MAP_FORMAT, FEATURE_MAP_VERSION)
}
