// The token windows an SAE is evaluated or analysed on from the command line: labelled TinyWorld documents when
// the model speaks TinyWorld (with per-token concepts), or windows of a text file's lines — the same windows the
// app's workers analyse (src/core/analysis/analysisCorpus.ts); this file only reads the text file.
import path from 'node:path'
import { analysisCorpus, type AnalysisCorpusSpec, type AnalysisLabels } from '../core/analysis/analysisCorpus.ts'
import { speaksTinyWorld } from '../core/world/speaks.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import type { HookedModel } from '../core/model/hookedModel.ts'
import type { Sae } from '../core/sae/sae.ts'
import type { HfTextTokenizer } from '../core/tokenizer/tokenizer.ts'
import { readTextFileCapped } from './textFile.ts'

export interface SaeCorpusWindows {
  windows: number[][]
  /** Per analysed token (first positions skipped when skipFirst), its TinyWorld concept ids; null off TinyWorld. */
  concepts: number[][] | null
  /** The full TinyWorld labels (cue limits, document lengths); null off TinyWorld. */
  labels: AnalysisLabels | null
  skipFirst: boolean
  tinyWorld: boolean
  description: string
}

export async function saeCorpusWindows(
  model: HookedModel,
  tokenizer: HfTextTokenizer | null,
  sae: Sae,
  opts: { seed: number; tokens: number; textFile?: string | undefined },
): Promise<SaeCorpusWindows> {
  const tinyWorld = speaksTinyWorld(model, tokenizer)
  let spec: AnalysisCorpusSpec
  if (opts.textFile !== undefined) {
    if (!tokenizer) throw new InvalidArgumentError('This model has no tokenizer.json, so it cannot read --text-file')
    spec = { kind: 'lines', name: path.resolve(opts.textFile), lines: (await readTextFileCapped(opts.textFile, '--text-file')).split('\n') }
  } else if (tinyWorld) spec = { kind: 'world', seed: opts.seed }
  else throw new InvalidArgumentError("This model's vocabulary is not TinyWorld's: give a corpus with --text-file FILE (one text per line)")
  const corpus = analysisCorpus(model, tokenizer, sae, spec, opts.tokens)
  return { windows: corpus.windows, concepts: corpus.labels?.concepts ?? null, labels: corpus.labels, skipFirst: corpus.skipFirst, tinyWorld, description: corpus.description }
}
