// The activations features-vs-neurons correlates: an SAE hook's inputs and every MLP neuron (blocks.l.mlp.hook_post)
// that runs before that hook, read from one pass per batch of windows and held as plain arrays.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import { checkActivationRows } from '../limitChecks.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { hookLayer, hookName, type HookName } from '../model/hookNames.ts'
import type { NeuronLayout } from './featureNeurons.ts'

/** Hooks of a block that its MLP has already run by (the MLP's own output and the residual after it). */
const AFTER_MLP = ['mlp.hook_post', 'hook_mlp_out', 'hook_resid_post']

/** The layers whose MLP neurons are known at `hook`: every block before it, and its own when the hook is after the MLP. */
export function neuronLayersBefore(hook: HookName, nLayers: number): number[] {
  const layer = hookLayer(hook)
  if (layer === null) {
    if (hook === hookName.lnFinalNormalized()) return Array.from({ length: nLayers }, (_, l) => l)
    return []
  }
  const last = AFTER_MLP.some((s) => hook.endsWith(`.${s}`)) ? layer : layer - 1
  return Array.from({ length: last + 1 }, (_, l) => l)
}

/** Every token's neurons are held for the SAE's pass and the baseline's two: refuses, before any work, a size that cannot be. */
export function checkNeuronRows(model: HookedModel, hook: HookName, tokens: number): void {
  const width = neuronLayersBefore(hook, model.config.nLayers).reduce((a, l) => a + model.hookWidth(hookName.mlpPost(l)), model.hookWidth(hook))
  checkActivationRows(tokens, width, 'Neuron activations (--tokens)')
}

export interface NeuronBatch {
  rows: number
  x: Float32Array // [rows, dIn] at the SAE's hook
  neurons: Float32Array // [rows, nNeurons], the layout's layers side by side
}

export interface NeuronActivations {
  layout: NeuronLayout
  batches: NeuronBatch[]
}

/**
 * Runs the model over the windows, `windowsPerBatch` at a time, and keeps the SAE hook's rows and the neurons of
 * every layer before it (first positions dropped when skipFirst, as the SAE never saw a BOS). Ragged windows are
 * padded and the padding dropped, as windowActivations does.
 */
export async function neuronActivations(
  model: HookedModel,
  hook: HookName,
  windows: readonly (readonly number[])[],
  opts: { skipFirst: boolean; windowsPerBatch?: number; onBatch?: (rows: number) => void },
): Promise<NeuronActivations> {
  const layers = neuronLayersBefore(hook, model.config.nLayers)
  if (layers.length === 0) throw new InvalidArgumentError(`No MLP runs before ${hook}: there are no neurons to compare its features with`)
  const mlpHooks = layers.map((l) => hookName.mlpPost(l))
  const layout: NeuronLayout = { layers, widths: mlpHooks.map((h) => model.hookWidth(h)) }
  checkNeuronRows(model, hook, windows.reduce((a, w) => a + w.length, 0))
  const names = [hook, ...mlpHooks.filter((h) => h !== hook)]
  const per = opts.windowsPerBatch ?? 8
  const start = opts.skipFirst ? 1 : 0
  const batches: NeuronBatch[] = []
  let total = 0
  for (let b = 0; b < windows.length; b += per) {
    const chunk = windows.slice(b, b + per)
    const len = Math.max(...chunk.map((w) => w.length))
    const padded = chunk.map((w) => [...w, ...new Array<number>(len - w.length).fill(w[0]!)])
    const index: number[] = []
    chunk.forEach((w, i) => {
      for (let p = start; p < w.length; p++) index.push(i * len + p)
    })
    if (index.length === 0) continue
    const acts = await model.collectActivations(padded, names) // each [batch, len, width]
    let out: tf.Tensor2D[] = []
    try {
      out = tf.tidy(() => {
        const idx = tf.tensor1d(index, 'int32')
        const rows = (name: HookName) => tf.gather(tf.reshape(acts.get(name)!, [len * chunk.length, -1]), idx) as tf.Tensor2D // [rows, width]
        return [rows(hook), tf.concat(mlpHooks.map(rows), 1) as tf.Tensor2D] // [rows, dIn], [rows, nNeurons]
      })
      const [x, neurons] = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>))
      batches.push({ rows: index.length, x: x!, neurons: neurons! })
    } finally {
      tf.dispose([...acts.values(), ...out])
    }
    total += index.length
    opts.onBatch?.(total)
  }
  return { layout, batches }
}
