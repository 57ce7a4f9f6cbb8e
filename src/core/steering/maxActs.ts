// Each feature's max activation over a token sample (activation units, fᵢ·‖W_dec,i‖): what "5× max" means when no
// dashboard is at hand. The sample and pass are deterministic, so the same model, SAE and windows give the same maxima.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import type { HookName } from '../model/hookNames.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { windowActivations } from '../sae/activationStore.ts'
import type { Sae } from '../sae/sae.ts'

export interface FeaturePassOptions {
  /** Leave each window's first position (its BOS) out, as SAELens training and the dashboards do. */
  skipFirst: boolean
  /** Windows per forward pass; 8 keeps a TinyWorld batch near 2k tokens. */
  batchWindows?: number
  /** Called with each batch's scaled activations, row-major [rows, dSae] (e.g. to score concepts). */
  onRows?: (acts: Float32Array, rows: number) => void
  /** Called after each batch with the tokens seen so far. */
  onProgress?: (tokens: number) => void
  /** Stops the pass between batches (CancelledError is the caller's to throw). */
  shouldStop?: () => boolean
}

/**
 * Max of fᵢ·‖W_dec,i‖ per feature over every analysed position of `windows` (0 for features that never fire).
 * The same definition as the dashboards' `max_act` (src/core/analysis/FORMAT.md), so on the same corpus they agree.
 */
export async function measureMaxActs(model: HookedModel, sae: Sae, hook: HookName, windows: readonly (readonly number[])[], opts: FeaturePassOptions): Promise<Float32Array> {
  if (windows.length === 0) throw new InvalidArgumentError('Measuring max activations needs at least one token window')
  const dSae = sae.config.dSae
  const max = new Float32Array(dSae)
  const step = opts.batchWindows ?? 8
  let tokens = 0
  for (let i = 0; i < windows.length; i += step) {
    if (opts.shouldStop?.()) break
    const x = await windowActivations(model, hook, windows.slice(i, i + step), { skipFirst: opts.skipFirst }) // [rows, dIn]
    let acts: tf.Tensor2D
    try {
      acts = sae.featureActsScaled(x) as tf.Tensor2D // [rows, dSae]
    } finally {
      x.dispose()
    }
    const rows = acts.shape[0]
    const data = (await acts.data()) as Float32Array // async: a GPU backend must not block the worker
    acts.dispose()
    for (let r = 0; r < rows; r++) {
      for (let j = 0, o = r * dSae; j < dSae; j++) {
        const v = data[o + j]!
        if (v > max[j]!) max[j] = v
      }
    }
    opts.onRows?.(data, rows)
    tokens += rows
    opts.onProgress?.(tokens)
    await Promise.resolve()
  }
  return max
}
