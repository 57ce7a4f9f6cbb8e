// Dashboards for a freshly trained SAE, computed in the training worker (it holds the model): analyzeSae over a
// held-out sample of the run's corpus, split into the summary + shards the explorer reads, so the feature list and
// dashboards open for it as for the committed SAEs. A small sample (the CLI's analyze reads 20k tokens): a
// browser should have the dashboards seconds after training ends.
import { analyzeSae } from '../core/analysis/analyze.ts'
import { splitFeatureAnalysis } from '../core/analysis/featureFolder.ts'
import type { HookedGpt2 } from '../core/model/gpt2.ts'
import { createTokenWindows, type ActivationCorpus } from '../core/sae/activationStore.ts'
import type { Sae } from '../core/sae/sae.ts'
import type { TrainingRunSettings } from '../core/sae/trainingRunSettings.ts'
import type { HfTextTokenizer } from '../core/tokenizer/tokenizer.ts'
import type { HookName } from '../core/model/hookNames.ts'
import type { TrainedAnalysis } from './trainingProtocol.ts'

/** 64 windows: ~4k tokens at the default context, enough for top examples of all but the rarest latents. */
const ANALYSIS_WINDOWS = 64

export async function analyzeTrainedSae(args: {
  model: HookedGpt2
  tokenizer: HfTextTokenizer | null
  sae: Sae
  saeId: string
  hook: HookName
  settings: TrainingRunSettings
  bosTokenId: number | null
  modelId: string
  onProgress?: (fraction: number) => void
}): Promise<TrainedAnalysis> {
  const { settings: s, tokenizer } = args
  // A stream of its own (neither training nor CE data), as the CLI keeps analysis data apart.
  const corpus: ActivationCorpus =
    s.corpus.kind === 'world'
      ? { kind: 'world', seed: s.corpus.seed + 2_000_003 }
      : { kind: 'lines', lines: s.corpus.lines.filter((l) => l.trim() !== ''), tokenizer: { encode: (t) => tokenizer!.encode(t, { addSpecialTokens: false }) } }
  const windows = createTokenWindows(corpus, { contextSize: s.contextSize, bosTokenId: args.bosTokenId }).next(ANALYSIS_WINDOWS)
  const file = await analyzeSae({
    model: args.model,
    modelId: args.modelId,
    sae: args.sae,
    saeId: args.saeId,
    hook: args.hook,
    windows,
    corpusDescription: s.corpus.kind === 'world' ? `tinyworld:seed=${s.corpus.seed + 2_000_003}` : `text:${s.corpus.name}`,
    tokenizer,
    options: { skipFirst: args.bosTokenId !== null, topK: 10, quantiles: 5, perQuantile: 3 }, // lighter than the CLI's 20 / 10×5: kept in IndexedDB
    onProgress: (f) => args.onProgress?.(f),
  })
  const { summary, shards } = splitFeatureAnalysis(file)
  return { summary, shards: shards.map((s) => s.file.features) }
}
