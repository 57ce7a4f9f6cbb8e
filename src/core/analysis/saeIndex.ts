// The SAE index (`monoscope.sae-index` v1): which SAEs an app build ships, where their SAELens folders and
// precomputed analyses live (paths relative to the app's base), and the joint map of them all. The explorer
// codes against this list, never against one SAE size.
import { z } from 'zod'
import { AnalysisFormatError } from './format.ts'
import { describeValue } from '../formats/safeJson.ts'

export const SAE_INDEX_FORMAT = 'monoscope.sae-index'
export const SAE_INDEX_VERSION = 1

/** Relative to the app base: no scheme, no leading slash, no '..' (a file next to the page, never outside it). */
const relativePath = z
  .string()
  .min(1)
  .refine((p) => !/^[a-z][a-z0-9+.-]*:/i.test(p) && !p.startsWith('/') && !p.split('/').includes('..'), { message: 'must be a path relative to the app (no scheme, leading "/" or "..")' })

const entrySchema = z.strictObject({
  /** The SAE's id everywhere in the app (feature keys, analysis files, the map). */
  id: z.string().min(1),
  /** The SAELens folder (cfg.json, sae_weights.safetensors). */
  path: relativePath,
  architecture: z.enum(['standard', 'topk', 'jumprelu']),
  d_sae: z.number().int().positive(),
  hook_name: z.string().min(1),
  /** The folder of its precomputed analysis (summary.json and shards), or null when none was made. */
  analysis: relativePath.nullable(),
})

export const saeIndexSchema = z
  .strictObject({
    format: z.literal(SAE_INDEX_FORMAT),
    version: z.literal(SAE_INDEX_VERSION),
    /** The model folder these SAEs read. */
    model: relativePath,
    saes: z.array(entrySchema).min(1),
    /** The joint UMAP map (monoscope.feature-map) of the listed SAEs, or null. */
    map: relativePath.nullable(),
    /** steer-eval's report (monoscope.steering-report): each concept's measured steering feature (optional). */
    steering_report: relativePath.optional(),
    /** The folder of the SAE family's reports (REPORT.md, completeness.svg, scaling/…), shown on the Reports page (optional). */
    reports: relativePath.optional(),
  })
  .superRefine((index, ctx) => {
    const seen = new Set<string>()
    index.saes.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['saes', i, 'id'], message: `"${s.id}" is listed twice` })
      seen.add(s.id)
    })
  })

export type SaeIndex = z.infer<typeof saeIndexSchema>
export type SaeIndexEntry = SaeIndex['saes'][number]

/** Validates a parsed index JSON; throws AnalysisFormatError naming the first bad field. */
export function parseSaeIndex(json: unknown): SaeIndex {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new AnalysisFormatError('An SAE index must be a JSON object')
  const head = json as { format?: unknown; version?: unknown }
  if (head.format !== SAE_INDEX_FORMAT) throw new AnalysisFormatError(`Not an SAE index: "format" is ${describeValue(head.format)}, expected "${SAE_INDEX_FORMAT}"`)
  if (typeof head.version === 'number' && head.version > SAE_INDEX_VERSION) {
    throw new AnalysisFormatError(`This SAE index is version ${head.version}; this Monoscope reads version ${SAE_INDEX_VERSION}: update Monoscope`)
  }
  const parsed = saeIndexSchema.safeParse(json)
  if (parsed.success) return parsed.data
  const [first, ...rest] = parsed.error.issues
  const where = first!.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '')
  throw new AnalysisFormatError(`Malformed SAE index: ${where || '(root)'}: ${first!.message}${rest.length ? ` (and ${rest.length} more)` : ''}`)
}

/** SAEs of one hook, smallest first: the order of a splitting family (each links to the next-smaller one). */
export function saesBySize(index: SaeIndex, hookName?: string): SaeIndexEntry[] {
  return index.saes.filter((s) => hookName === undefined || s.hook_name === hookName).sort((a, b) => a.d_sae - b.d_sae || a.id.localeCompare(b.id))
}
