// The per-SAE features-vs-neurons table (neurons/<sae>.json beside the SAE folders): written by
// `monoscope feature-neurons`, read by the feature dashboard. Parallel arrays keep 4,096 features near 60 KB.
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

export function parseFeatureNeurons(json: unknown): FeatureNeuronsFile {
  const f = json as Partial<FeatureNeuronsFile> | null
  if (!f || f.format !== FEATURE_NEURONS_FORMAT || f.version !== 1) throw new AnalysisFormatError(`Not a ${FEATURE_NEURONS_FORMAT} v1 file`)
  const n = f.r?.length
  if (!Array.isArray(f.layer) || !Array.isArray(f.neuron) || !Array.isArray(f.r) || f.layer.length !== n || f.neuron.length !== n) {
    throw new AnalysisFormatError(`${FEATURE_NEURONS_FORMAT}: layer, neuron and r must be arrays of one length`)
  }
  return f as FeatureNeuronsFile
}

/** One feature's most-correlated neuron, or null where the table has none. */
export function bestNeuronOf(file: FeatureNeuronsFile, feature: number): { layer: number; neuron: number; r: number } | null {
  const layer = file.layer[feature]
  const neuron = file.neuron[feature]
  const r = file.r[feature]
  return layer == null || neuron == null || r == null ? null : { layer, neuron, r }
}
