// Decoder-norm-scaled SAE activations fᵢ·‖W_dec,i‖ of a batch of token windows, downloaded to the CPU.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { HookName } from '../model/hookNames.ts'
import { windowActivations } from '../sae/activationStore.ts'
import type { Sae } from '../sae/sae.ts'

export type TokenWindow = readonly number[]

/** Checks that the SAE reads the hook and every window fits the model; returns the total analysed rows. */
export function checkAnalysisInputs(model: HookedModel, sae: Sae, hook: HookName, windows: readonly TokenWindow[], skipFirst: boolean): number {
  const width = model.hookWidth(hook)
  if (width !== sae.config.dIn) throw new InvalidArgumentError(`The SAE reads ${sae.config.dIn}-wide vectors but ${hook} is ${width} wide`)
  if (windows.length === 0) throw new InvalidArgumentError('The analysis corpus has no windows')
  const start = skipFirst ? 1 : 0
  let rows = 0
  windows.forEach((w, i) => {
    if (w.length <= start || w.length > model.config.nCtx) {
      throw new InvalidArgumentError(`Window ${i} has ${w.length} tokens; each needs ${start + 1}…${model.config.nCtx} (the model's context${skipFirst ? ', BOS included' : ''})`)
    }
    for (const id of w) {
      if (!(Number.isInteger(id) && id >= 0 && id < model.config.vocabSize)) throw new InvalidArgumentError(`Window ${i} holds token id ${id}, outside the vocabulary (size ${model.config.vocabSize})`)
    }
    rows += w.length - start
  })
  return rows
}

/** Activations [rows, dSae] of the windows' positions in order (each window's first skipped when skipFirst). */
export async function encodeWindows(model: HookedModel, sae: Sae, hook: HookName, windows: readonly TokenWindow[], skipFirst: boolean): Promise<Float32Array> {
  const x = await windowActivations(model, hook, windows, { skipFirst }) // [rows, dIn]
  let acts: tf.Tensor
  try {
    acts = sae.featureActsScaled(x) // [rows, dSae]
  } finally {
    x.dispose()
  }
  try {
    return (await acts.data()) as Float32Array // async: a GPU backend is not blocked while it reads back
  } finally {
    acts.dispose()
  }
}
