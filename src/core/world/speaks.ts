// Whether a model speaks TinyWorld: its vocabulary is the world's, token for token (the tokenizer, when there is one,
// agrees). The one test for "can this model read the world corpus", used by training, analysis and the CLI.
import type { ModelSummary } from '../model/hookedModel.ts'
import { worldVocab } from './tokenizerJson.ts'

export function speaksTinyWorld(model: { config: Pick<ModelSummary, 'vocabSize'> }, tokenizer: { idToToken(id: number): string | undefined | null } | null): boolean {
  const vocab = worldVocab()
  if (model.config.vocabSize !== vocab.length) return false
  return tokenizer === null || vocab.every((token, id) => tokenizer.idToToken(id) === token)
}
