// Dashboards and map for a freshly trained SAE, computed in the training worker (it holds the model): the same
// analysis as the model worker's "analyse this SAE", on a held-out sample of the run's corpus (labelled TinyWorld
// documents, so concept matches come too, or the run's text). A small sample (the CLI's analyze reads 20k
// tokens): a browser should have the dashboards and the map seconds after training ends.
import { analysisCorpus } from '../core/analysis/analysisCorpus.ts'
import type { HookedModel } from '../core/model/hookedModel.ts'
import type { HookName } from '../core/model/hookNames.ts'
import type { Sae } from '../core/sae/sae.ts'
import type { TrainingRunSettings } from '../core/sae/trainingRunSettings.ts'
import type { HfTextTokenizer } from '../core/tokenizer/tokenizer.ts'
import { analyseForExplorer } from './explorerAnalysis.ts'
import type { TrainedAnalysis } from './trainingProtocol.ts'

/** ~4k tokens: top examples for all but the rarest latents, in seconds. */
const ANALYSIS_TOKENS = 4096
/** A stream of its own (neither training nor CE data), as the CLI keeps analysis data apart. */
const ANALYSIS_SEED_OFFSET = 2_000_003

export async function analyzeTrainedSae(args: {
  model: HookedModel
  tokenizer: HfTextTokenizer | null
  sae: Sae
  saeId: string
  hook: HookName
  settings: TrainingRunSettings
  /** Unused since the corpus follows the model (analysisCorpus); kept for the training session's call. */
  bosTokenId?: number | null
  modelId: string
  onProgress?: (fraction: number) => void
}): Promise<TrainedAnalysis> {
  const { settings: s } = args
  const seed = s.corpus.kind === 'world' ? s.corpus.seed + ANALYSIS_SEED_OFFSET : ANALYSIS_SEED_OFFSET
  const corpus = analysisCorpus(
    args.model,
    args.tokenizer,
    args.sae,
    s.corpus.kind === 'world' ? { kind: 'world', seed } : { kind: 'lines', name: s.corpus.name, lines: s.corpus.lines },
    ANALYSIS_TOKENS,
  )
  return analyseForExplorer({
    model: args.model,
    modelId: args.modelId,
    tokenizer: args.tokenizer,
    sae: args.sae,
    saeId: args.saeId,
    hook: args.hook,
    corpus,
    map: true,
    seed,
    options: { topK: 10, quantiles: 5, perQuantile: 3 }, // lighter than the CLI's 20 / 10×5: kept in IndexedDB
    onProgress: (f) => args.onProgress?.(f),
  })
}
