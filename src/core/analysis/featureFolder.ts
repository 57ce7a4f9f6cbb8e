// The split form of a feature analysis, for the app to open instantly: a small summary (one row per feature:
// what the list and the map need) plus shards of full feature pages, fetched on demand. FORMAT.md documents it.
// The shards are gzip-compressed JSON; readers accept plain JSON too (a server may have decompressed them already).
import { z } from 'zod'
import { AnalysisFormatError, featureAnalysisSchema, type FeatureAnalysisFile, type FeatureRecord } from './format.ts'
import { describeValue, parseJsonChecked } from '../formats/safeJson.ts'
import { inflateCapped } from '../formats/inflateCapped.ts'
import { INPUT_LIMITS } from '../limits.ts'

export const FEATURE_SUMMARY_FORMAT = 'monoscope.feature-summary'
export const FEATURE_SUMMARY_VERSION = 1
export const FEATURE_SHARD_FORMAT = 'monoscope.feature-shard'
export const FEATURE_SHARD_VERSION = 1
export const SUMMARY_FILENAME = 'summary.json'

/** 64 full pages are ~100–300 KB of JSON before gzip: one fetch per dashboard, few files per SAE. */
export const DEFAULT_SHARD_SIZE = 64
/** The list's snippet: a few tokens around the best example, enough to recognise a feature at a glance. */
const SNIPPET_BEFORE = 6
const SNIPPET_AFTER = 2
/** Top promoted tokens per row, for the list and the map's hover label. */
const SUMMARY_PROMOTED = 5

const count = z.number().int().nonnegative()
const finite = z.number().finite()
const header = featureAnalysisSchema.shape

const summaryRowSchema = z.strictObject({
  index: count,
  density: finite.min(0).max(1),
  max_act: finite.nonnegative(),
  /** The best planted concept (TinyWorld) with its AUROC; null off TinyWorld and for dead features. */
  concept: z.strictObject({ id: count, name: z.string().nullable(), auroc: finite.min(0).max(1), f1: finite.min(0).max(1) }).nullable(),
  /** Token ids with the largest direct logit effect, largest first; empty when the file has no logits. */
  promoted: z.array(count),
  explanation: z.string().nullable(),
  /** The explanation's simulation score (optional: absent before auto-interp). */
  explanation_score: finite.min(-1).max(1).nullable().optional(),
  /** The top example, clipped to a few tokens; null for dead features. */
  snippet: z
    .strictObject({ token_ids: z.array(count).min(1), values: z.array(finite), token_index: count })
    .refine((s) => s.values.length === s.token_ids.length && s.token_index < s.token_ids.length, { message: 'values must match token_ids, and token_index lie inside them' })
    .nullable(),
})

export const featureSummarySchema = z
  .strictObject({
    format: z.literal(FEATURE_SUMMARY_FORMAT),
    version: z.literal(FEATURE_SUMMARY_VERSION),
    activation_scale: header.activation_scale,
    sae: header.sae,
    model: header.model,
    corpus: header.corpus,
    settings: header.settings,
    vocab: header.vocab,
    ground_truth: header.ground_truth,
    random_contexts: header.random_contexts,
    /** Feature i's page is in shards[floor(i / shard_size)]. */
    shard_size: z.number().int().positive(),
    /** File names relative to the summary. */
    shards: z.array(z.string().min(1).regex(/^[\w.-]+$/, 'must be a plain file name')),
    /** Every feature 0 … d_sae − 1, in index order. */
    features: z.array(summaryRowSchema),
  })
  .superRefine((s, ctx) => {
    if (s.features.length !== s.sae.d_sae) ctx.addIssue({ code: 'custom', path: ['features'], message: `has ${s.features.length} rows for d_sae ${s.sae.d_sae}` })
    const i = s.features.findIndex((f, at) => f.index !== at)
    if (i >= 0) ctx.addIssue({ code: 'custom', path: ['features', i, 'index'], message: `is ${s.features[i]!.index}; rows must be in index order from 0` })
    const need = Math.ceil(s.sae.d_sae / s.shard_size)
    if (s.shards.length !== need) ctx.addIssue({ code: 'custom', path: ['shards'], message: `lists ${s.shards.length} files; ${s.sae.d_sae} features in shards of ${s.shard_size} need ${need}` })
    if (s.vocab && s.vocab.length !== s.model.vocab_size) ctx.addIssue({ code: 'custom', path: ['vocab'], message: `has ${s.vocab.length} strings for a vocabulary of ${s.model.vocab_size}` })
  })

export const featureShardSchema = z.strictObject({
  format: z.literal(FEATURE_SHARD_FORMAT),
  version: z.literal(FEATURE_SHARD_VERSION),
  sae_id: z.string().min(1),
  /** Which shard of the summary this is: features shard·shard_size … in index order. */
  shard: count,
  features: z.array(featureAnalysisSchema.shape.features.element),
})

export type FeatureSummaryFile = z.infer<typeof featureSummarySchema>
export type FeatureSummaryRow = FeatureSummaryFile['features'][number]
export type FeatureShardFile = z.infer<typeof featureShardSchema>

export const shardFileName = (shard: number): string => `features-${String(shard).padStart(4, '0')}.json.gz`

function snippetOf(feature: FeatureRecord): FeatureSummaryRow['snippet'] {
  const best = feature.top_examples[0]
  if (!best) return null
  const from = Math.max(0, best.token_index - SNIPPET_BEFORE)
  const to = Math.min(best.token_ids.length, best.token_index + SNIPPET_AFTER + 1)
  return { token_ids: best.token_ids.slice(from, to), values: best.values.slice(from, to), token_index: best.token_index - from }
}

export function summaryRow(feature: FeatureRecord): FeatureSummaryRow {
  return {
    index: feature.index,
    density: feature.density,
    max_act: feature.max_act,
    concept: feature.concept,
    promoted: feature.logits ? feature.logits.promoted.ids.slice(0, SUMMARY_PROMOTED) : [],
    explanation: feature.explanation?.text ?? null,
    explanation_score: feature.explanation?.score ?? null,
    snippet: snippetOf(feature),
  }
}

/**
 * Splits a whole analysis into a summary and its shards (as objects; the caller serialises and compresses).
 * Needs every feature 0 … d_sae − 1 exactly once (what analyzeSae produces).
 */
export function splitFeatureAnalysis(file: FeatureAnalysisFile, shardSize = DEFAULT_SHARD_SIZE): { summary: FeatureSummaryFile; shards: { name: string; file: FeatureShardFile }[] } {
  if (!Number.isInteger(shardSize) || shardSize < 1) throw new AnalysisFormatError(`Shard size must be a positive integer, got ${shardSize}`)
  const byIndex = [...file.features].sort((a, b) => a.index - b.index)
  const gap = byIndex.findIndex((f, i) => f.index !== i)
  if (gap >= 0 || byIndex.length !== file.sae.d_sae) {
    throw new AnalysisFormatError(`Only a complete analysis can be split: it has ${byIndex.length} of ${file.sae.d_sae} features${gap >= 0 ? `, feature ${gap} missing` : ''}`)
  }
  const shards: { name: string; file: FeatureShardFile }[] = []
  for (let start = 0, shard = 0; start < byIndex.length; start += shardSize, shard++) {
    shards.push({
      name: shardFileName(shard),
      file: { format: FEATURE_SHARD_FORMAT, version: FEATURE_SHARD_VERSION, sae_id: file.sae.id, shard, features: byIndex.slice(start, start + shardSize) },
    })
  }
  const { format: _f, version: _v, features: _all, ...rest } = file
  const summary: FeatureSummaryFile = {
    format: FEATURE_SUMMARY_FORMAT,
    version: FEATURE_SUMMARY_VERSION,
    ...rest,
    shard_size: shardSize,
    shards: shards.map((s) => s.name),
    features: byIndex.map(summaryRow),
  }
  return { summary, shards }
}

/** Which shard holds `index`, by the summary's rule. */
export function shardOf(summary: Pick<FeatureSummaryFile, 'shard_size' | 'shards' | 'sae'>, index: number): { shard: number; name: string } {
  const shard = Math.floor(index / summary.shard_size)
  const name = summary.shards[shard]
  if (name === undefined || !Number.isInteger(index) || index < 0 || index >= summary.sae.d_sae) throw new AnalysisFormatError(`Feature ${index} is in no shard of this analysis`)
  return { shard, name }
}

function parseHead(json: unknown, what: string, format: string, version: number): void {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new AnalysisFormatError(`A ${what} file must be a JSON object`)
  const head = json as { format?: unknown; version?: unknown }
  if (head.format !== format) throw new AnalysisFormatError(`Not a ${what} file: "format" is ${describeValue(head.format)}, expected "${format}"`)
  if (typeof head.version === 'number' && head.version > version) {
    throw new AnalysisFormatError(`This ${what} file is version ${head.version}; this Monoscope reads version ${version}: update Monoscope or re-run the analysis`)
  }
}

function issueText(error: z.ZodError, what: string): AnalysisFormatError {
  const [first, ...rest] = error.issues
  const where = first!.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(root)'
  return new AnalysisFormatError(`Malformed ${what} file: ${where}: ${first!.message}${rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : ''}`)
}

export function parseFeatureSummary(json: unknown): FeatureSummaryFile {
  parseHead(json, 'feature-summary', FEATURE_SUMMARY_FORMAT, FEATURE_SUMMARY_VERSION)
  const parsed = featureSummarySchema.safeParse(json)
  if (!parsed.success) throw issueText(parsed.error, 'feature-summary')
  return parsed.data
}

/** Validates a shard against the summary it belongs to (its SAE, its place and its feature indices). */
export function parseFeatureShard(json: unknown, expect?: { saeId: string; shard: number; shardSize: number; dSae: number }): FeatureShardFile {
  parseHead(json, 'feature-shard', FEATURE_SHARD_FORMAT, FEATURE_SHARD_VERSION)
  const parsed = featureShardSchema.safeParse(json)
  if (!parsed.success) throw issueText(parsed.error, 'feature-shard')
  const shard = parsed.data
  if (expect) {
    if (shard.sae_id !== expect.saeId) throw new AnalysisFormatError(`This shard belongs to SAE "${shard.sae_id}", not "${expect.saeId}"`)
    if (shard.shard !== expect.shard) throw new AnalysisFormatError(`This is shard ${shard.shard}, expected shard ${expect.shard}`)
    const start = expect.shard * expect.shardSize
    const n = Math.min(expect.shardSize, expect.dSae - start)
    const bad = shard.features.findIndex((f, i) => f.index !== start + i)
    if (shard.features.length !== n || bad >= 0) throw new AnalysisFormatError(`Shard ${expect.shard} must hold features ${start}…${start + n - 1} in order`)
  }
  return shard
}

const GZIP_MAGIC = [0x1f, 0x8b]

/** True for gzip bytes; a server that sent Content-Encoding: gzip has already handed us the plain JSON. */
export const isGzip = (bytes: Uint8Array): boolean => bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]

/** Shard bytes (gzip or plain) → parsed JSON; a gzip shard may inflate to at most `maxInflatedBytes`. */
export async function decodeJsonBytes(bytes: Uint8Array, maxInflatedBytes: number = INPUT_LIMITS.gzipInflatedBytes): Promise<unknown> {
  let plain = bytes
  if (isGzip(bytes)) {
    const inflated = await inflateCapped(bytes, 'gzip', maxInflatedBytes)
    if (!inflated.ok) {
      throw new AnalysisFormatError(
        inflated.reason === 'too-large'
          ? `A compressed analysis file inflates to more than ${maxInflatedBytes} bytes; refusing it`
          : `A compressed analysis file is damaged: ${inflated.detail}`,
      )
    }
    plain = inflated.bytes
  }
  return parseJsonChecked(new TextDecoder().decode(plain), (detail) => {
    throw new AnalysisFormatError(`An analysis file is ${detail}`)
  })
}
