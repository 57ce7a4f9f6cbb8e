// The token windows an SAE is evaluated or analysed on: labelled TinyWorld documents (whole, one a window,
// with per-token concepts) when the model speaks TinyWorld, or windows of a text file's lines.
import type { HfTextTokenizer } from '../core/tokenizer/tokenizer.ts'
import type { HookedGpt2 } from '../core/model/gpt2.ts'
import { createTokenWindows, documentWindows } from '../core/sae/activationStore.ts'
import type { Sae } from '../core/sae/sae.ts'
import { sampleLabelled } from '../core/world/generator.ts'
import { bosTokenFor, corpusFor, isTinyWorldModel } from './commands/trainSae.ts'

export interface SaeCorpusWindows {
  windows: number[][]
  /** Per analysed token (first positions skipped when skipFirst), its TinyWorld concept ids; null off TinyWorld. */
  concepts: number[][] | null
  skipFirst: boolean
  tinyWorld: boolean
  description: string
}

export async function saeCorpusWindows(
  model: HookedGpt2,
  tokenizer: HfTextTokenizer | null,
  sae: Sae,
  opts: { seed: number; tokens: number; textFile?: string | undefined },
): Promise<SaeCorpusWindows> {
  const tinyWorld = isTinyWorldModel(model, tokenizer)
  const bosTokenId = bosTokenFor(model, tinyWorld)
  // Windows as long as the SAE was trained on (its context_size), so positions match its training distribution.
  const contextSize = Math.min(model.config.nCtx, sae.config.metadata.contextSize ?? model.config.nCtx)
  const skipFirst = bosTokenId !== null
  if (opts.textFile === undefined && tinyWorld) {
    const docs = sampleLabelled(opts.seed, opts.tokens)
    return {
      // TinyWorld documents (≤ 200 tokens) fit one window each, so concepts stay aligned with analysed positions.
      windows: documentWindows(docs.map((d) => d.ids), { contextSize, bosTokenId }),
      concepts: docs.flatMap((d) => d.concepts),
      skipFirst,
      tinyWorld,
      description: `tinyworld:labelled:seed=${opts.seed}`,
    }
  }
  const { corpus, description } = await corpusFor(model, tokenizer, opts.textFile, opts.seed)
  const windows = createTokenWindows(corpus, { contextSize, bosTokenId }).next(Math.ceil(opts.tokens / (contextSize - (skipFirst ? 1 : 0))))
  return { windows, concepts: null, skipFirst, tinyWorld, description }
}
