// Whether the SAE index's SAEs belong beside the loaded model. The shipped index holds SAEs trained on TinyWorld's
// residual stream: loaded beside a Llama or a GPT-2-small they would be offered in the inspector, steering and
// training although no activation of that model means anything to them (or even has their width).
import type { SaeIndex, SaeIndexEntry } from '../core/analysis/saeIndex.ts'
import type { LoadedModel } from './modelSlice.ts'

/** Why an index SAE does not apply to the model, or null when it does. */
export function indexSaeMisfit(index: SaeIndex, entry: SaeIndexEntry, model: LoadedModel): string | null {
  // The index's own model folder, or a model with its vocabulary token for token (TinyWorld's ONNX exports, its
  // fp16 and 8-bit files): anything else reads other tokens, so the SAEs' features and dashboards do not apply.
  if (model.input !== index.model && !model.summary.speaksTinyWorld) return `the committed SAEs read ${index.model}, and this model's vocabulary is not TinyWorld's`
  if (!model.hookNames.includes(entry.hook_name as LoadedModel['hookNames'][number])) return `this model has no hook ${entry.hook_name}`
  return null
}

/** After loading: the SAE's input width must be the model's residual width at its hook (every index hook is residual). */
export function indexSaeWidthMisfit(dIn: number, model: LoadedModel): string | null {
  return dIn === model.summary.dModel ? null : `the committed SAEs are ${dIn} wide and this model's residual stream is ${model.summary.dModel}`
}
