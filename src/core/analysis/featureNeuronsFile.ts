// The per-SAE features-vs-neurons table (neurons/<sae>.json beside the SAE folders): written by
// `monoscope feature-neurons`, read by the feature dashboard. Parallel arrays keep 4,096 features near 60 KB.
import { z } from 'zod'
import { AnalysisFormatError } from './format.ts'

export const FEATURE_NEURONS_FORMAT = 'monoscope.feature-neurons'

export interface FeatureNeuronsFile {
  format: typeof FEATURE_NEURONS_FORMAT
  version: 1
  sae: string
  hook: string
  corpus: string
  tokens: number
  /** Per feature: the most-correlated neuron's block, its index in that block's mlp.hook_post, and Pearson r; null when the feature never fired. */
  layer: (number | null)[]
  neuron: (number | null)[]
  r: (number | null)[]
}

/** The folder of per-SAE tables inside a hook's folder of SAEs. */
export const featureNeuronsDir = (hookDir: string): string => `${hookDir.replace(/\/+$/, '')}/neurons`

const index = z.number().int().nonnegative().nullable()
const schema = z
  .strictObject({
    format: z.literal(FEATURE_NEURONS_FORMAT),
    version: z.literal(1),
    sae: z.string(),
    hook: z.string(),
    corpus: z.string(),
    tokens: z.number().int().nonnegative(),
    layer: z.array(index),
    neuron: z.array(index),
    r: z.array(z.number().min(-1 - 1e-6).max(1 + 1e-6).nullable()),
  })
  .refine((f) => f.layer.length === f.r.length && f.neuron.length === f.r.length, { message: 'layer, neuron and r must be arrays of one length' })

/** Validates a parsed file (the dashboard fetches it): every field typed, r within [−1, 1], arrays of one length. */
export function parseFeatureNeurons(json: unknown): FeatureNeuronsFile {
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new AnalysisFormatError(`Not a valid ${FEATURE_NEURONS_FORMAT} v1 file: ${issue.path.join('.') || 'the file'} ${issue.message}`)
  }
  return parsed.data as FeatureNeuronsFile
}

/** Where an index SAE's table is: neurons/<name>.json beside the SAE's folder. */
export function featureNeuronsPathOf(saePath: string): string {
  const parts = saePath.replace(/\/+$/, '').split('/')
  const name = parts.pop()!
  return `${featureNeuronsDir(parts.join('/'))}/${name}.json`
}

/** One feature's most-correlated neuron, or null where the table has none. */
export function bestNeuronOf(file: FeatureNeuronsFile, feature: number): { layer: number; neuron: number; r: number } | null {
  const layer = file.layer[feature]
  const neuron = file.neuron[feature]
  const r = file.r[feature]
  return layer == null || neuron == null || r == null ? null : { layer, neuron, r }
}
