// One SAE's explorer data computed in a worker: analyzeSae over a corpus, split into the summary + shards the
// explorer reads (as `monoscope analyze --out-dir` writes them), and a UMAP map of its decoder directions (as
// `--map` writes it). Shared by the model worker's "analyse this SAE" and the training worker's finished runs.
import { analyzeSae, type AnalysisOptions } from '../core/analysis/analyze.ts'
import type { AnalysisCorpus } from '../core/analysis/analysisCorpus.ts'
import { splitFeatureAnalysis } from '../core/analysis/featureFolder.ts'
import { featureMapFile, umapLayout } from '../core/analysis/umap.ts'
import type { HookedModel } from '../core/model/hookedModel.ts'
import type { HookName } from '../core/model/hookNames.ts'
import type { Sae } from '../core/sae/sae.ts'
import type { HfTextTokenizer } from '../core/tokenizer/tokenizer.ts'
import type { AnalysisStage, ExplorerAnalysis } from './analysisProtocol.ts'

/** The map's share of progress: UMAP of a few thousand directions takes a fraction of the corpus pass. */
const MAP_SHARE = 0.15

export async function analyseForExplorer(args: {
  model: HookedModel
  modelId: string | null
  tokenizer: HfTextTokenizer | null
  sae: Sae
  saeId: string
  hook: HookName
  corpus: AnalysisCorpus
  /** Other SAEs on the same hook, for cross-SAE neighbours. */
  others?: readonly { id: string; sae: Sae }[]
  options?: Partial<AnalysisOptions>
  map: boolean
  /** Seeds the corpus sampling and the UMAP layout, so the same request gives the same dashboards and map. */
  seed: number
  onProgress?: (fraction: number, stage: AnalysisStage) => void
  signal?: AbortSignal
}): Promise<ExplorerAnalysis> {
  const featureShare = args.map ? 1 - MAP_SHARE : 1
  const file = await analyzeSae({
    model: args.model,
    modelId: args.modelId,
    sae: args.sae,
    saeId: args.saeId,
    hook: args.hook,
    windows: args.corpus.windows,
    corpusDescription: args.corpus.description,
    tokenizer: args.tokenizer,
    labels: args.corpus.labels,
    others: args.others ?? [],
    options: { seed: args.seed, ...args.options, skipFirst: args.corpus.skipFirst },
    onProgress: (f, phase) => args.onProgress?.(featureShare * f, phase),
    signal: args.signal,
  })
  const { summary, shards } = splitFeatureAnalysis(file)
  let map = null
  if (args.map) {
    const layout = await umapLayout([{ id: args.saeId, wDec: args.sae.weights.wDec }], {
      seed: args.seed,
      signal: args.signal,
      onProgress: (f) => args.onProgress?.(featureShare + MAP_SHARE * f, 'map'),
    })
    map = featureMapFile(layout, { hookName: args.hook })
  }
  args.onProgress?.(1, args.map ? 'map' : 'neighbours')
  return { summary, shards: shards.map((s) => s.file.features), map }
}
