// One steering demo, from its share state to the arguments of generateSideBySide. The CLI and the browser worker
// both go through here, so a link and `monoscope generate --share` run exactly the same generation.
import type { HookedModel } from '../model/hookedModel.ts'
import type { Sae } from '../sae/sae.ts'
import { InvalidArgumentError } from '../errors.ts'
import { steeringPromptIds } from './prompt.ts'
import { steerOptionsFromShareState, type ShareState } from './shareState.ts'
import type { SteerOptions } from './steer.ts'

export interface SteeringRun {
  /** What the model reads: the prompt's ids, after a BOS when the SAE expects one. */
  promptIds: number[]
  options: SteerOptions
  /** The model's end-of-text token ends a column and is not part of its output. */
  stopTokenIds: number[]
}

export function steeringRunFromState(model: HookedModel, tokenizer: { encode(text: string): number[] }, sae: Sae, state: ShareState): SteeringRun {
  const promptIds = steeringPromptIds(tokenizer.encode(state.prompt), model.config, sae.config.metadata.prependBos)
  if (promptIds.length === 0) throw new InvalidArgumentError('The prompt is empty and this model has no beginning-of-text token')
  if (promptIds.length >= model.config.nCtx) throw new InvalidArgumentError(`The prompt has ${promptIds.length} tokens; this model's context holds ${model.config.nCtx}`)
  const stopTokenIds = model.config.eosTokenId === null ? [] : [model.config.eosTokenId]
  return { promptIds, options: { ...steerOptionsFromShareState(state), stopTokenIds }, stopTokenIds }
}
