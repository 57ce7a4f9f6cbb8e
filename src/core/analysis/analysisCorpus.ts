// The token windows an SAE is analysed on, wherever the analysis runs (the CLI, the model worker, the training
// worker): labelled TinyWorld documents when the model speaks TinyWorld (so dashboards get concept matches), or
// windows of a text's lines. No file system here: a text arrives as lines.
import { InvalidArgumentError } from '../errors.ts'
import { bosTokenFor, type HookedModel } from '../model/hookedModel.ts'
import { createTokenWindows, documentWindows } from '../sae/activationStore.ts'
import type { Sae } from '../sae/sae.ts'
import type { HfTextTokenizer } from '../tokenizer/tokenizer.ts'
import { conceptCatalogue, wordConceptIds } from '../world/catalogue.ts'
import { unknowableSpanTokens } from '../world/cues.ts'
import { sampleLabelled } from '../world/generator.ts'
import { worldVocab } from '../world/tokenizerJson.ts'
import { speaksTinyWorld } from '../world/speaks.ts'

/** Where analysis tokens come from: TinyWorld's labelled generator, or a user's text (one document per line). */
export type AnalysisCorpusSpec = { kind: 'world'; seed: number } | { kind: 'lines'; name: string; lines: readonly string[] }

/** TinyWorld's ground truth for the analysed tokens, in order. */
export interface AnalysisLabels {
  /** Per token, its concept ids. */
  concepts: number[][]
  names: string[]
  wordConcepts: number[]
  /** Per token, the span concepts it carries before its span's first cue word (world/cues.ts): not scored. */
  unknowable: number[][]
  /** Tokens per document, in order (they sum to concepts.length): held-out splits go by document. */
  documents: number[]
  /** Per token, its vocabulary id (controls draw random word groups from them). */
  tokenIds: number[]
}

export interface AnalysisCorpus {
  windows: number[][]
  /** Per analysed token (first positions skipped when skipFirst), its TinyWorld concept ids; null off TinyWorld. */
  labels: AnalysisLabels | null
  skipFirst: boolean
  description: string
}


export function analysisCorpus(
  model: HookedModel,
  tokenizer: Pick<HfTextTokenizer, 'idToToken' | 'encode'> | null,
  sae: Sae,
  spec: AnalysisCorpusSpec,
  tokens: number,
): AnalysisCorpus {
  if (!Number.isInteger(tokens) || tokens < 1) throw new InvalidArgumentError(`The analysis needs a positive token count, got ${tokens}`)
  const tinyWorld = speaksTinyWorld(model, tokenizer)
  const bosTokenId = bosTokenFor(model)
  // Windows as long as the SAE was trained on (its context_size), so positions match its training distribution.
  const contextSize = Math.min(model.config.nCtx, sae.config.metadata.contextSize ?? model.config.nCtx)
  const skipFirst = bosTokenId !== null
  const perWindow = contextSize - (skipFirst ? 1 : 0)
  if (spec.kind === 'world') {
    if (!tinyWorld) throw new InvalidArgumentError("This model's vocabulary is not TinyWorld's: analyse it on a text instead")
    const docs = sampleLabelled(spec.seed, tokens)
    const vocab = worldVocab()
    return {
      // Every chunk of a document gets its own BOS, which the pass skips: concepts stay aligned with analysed tokens.
      windows: documentWindows(
        docs.map((d) => d.ids),
        { contextSize, bosTokenId },
      ),
      labels: {
        concepts: docs.flatMap((d) => d.concepts),
        names: conceptCatalogue().concepts.map((c) => c.name),
        wordConcepts: wordConceptIds(),
        unknowable: docs.flatMap((d) => unknowableSpanTokens(d.ids.map((i) => vocab[i]!), d.concepts, d.language)),
        documents: docs.map((d) => d.ids.length),
        tokenIds: docs.flatMap((d) => d.ids),
      },
      skipFirst,
      description: `tinyworld:labelled:seed=${spec.seed}`,
    }
  }
  const lines = spec.lines.filter((l) => l.trim() !== '')
  if (lines.length === 0) throw new InvalidArgumentError(`${spec.name} has no non-empty lines`)
  if (!tokenizer) throw new InvalidArgumentError('This model has no tokenizer.json, so it cannot read a text')
  const corpus = { kind: 'lines' as const, lines, tokenizer: { encode: (t: string) => tokenizer.encode(t, { addSpecialTokens: false }) } }
  const windows = createTokenWindows(corpus, { contextSize, bosTokenId }).next(Math.ceil(tokens / perWindow))
  return { windows, labels: null, skipFirst, description: `text:${spec.name}` }
}
