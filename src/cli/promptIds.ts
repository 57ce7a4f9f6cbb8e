// A text prompt as the ids an SAE expects: the tokenizer's ids, with the model's BOS first when the SAE was trained
// with one (prepend_bos, SAELens's default), then checked against the model's vocabulary and context.
import { InvalidArgumentError, TokenizerError } from '../core/errors.ts'
import { bosTokenFor, type HookedModel } from '../core/model/hookedModel.ts'
import type { Sae } from '../core/sae/sae.ts'
import type { HfTextTokenizer } from '../core/tokenizer/tokenizer.ts'

export function promptIdsForSae(model: HookedModel, tokenizer: HfTextTokenizer | null, sae: Sae, text: string, flags: { text: string; ids: string }): number[] {
  if (!tokenizer) throw new TokenizerError(`This model folder has no tokenizer.json: use ${flags.ids} instead of ${flags.text}`)
  let ids = tokenizer.encode(text)
  const bos = bosTokenFor(model)
  if (sae.config.metadata.prependBos !== false && bos !== null && ids[0] !== bos) ids = [bos, ...ids]
  return checkPromptIds(model, ids)
}

export function checkPromptIds(model: HookedModel, ids: number[]): number[] {
  const bad = ids.find((id) => id >= model.config.vocabSize)
  if (bad !== undefined) throw new InvalidArgumentError(`Token id ${bad} is outside the vocabulary (size ${model.config.vocabSize})`)
  if (ids.length === 0) throw new InvalidArgumentError('The input has no tokens')
  if (ids.length > model.config.nCtx) throw new InvalidArgumentError(`${ids.length} tokens exceed the model's context of ${model.config.nCtx}`)
  return ids
}
