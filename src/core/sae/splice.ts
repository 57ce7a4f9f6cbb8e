// An SAE inside the model: checking that it fits a hook, and next-token cross-entropy with the SAE's reconstruction
// spliced in at its hook, against the clean model and against zero-ablating the hook (the numbers of CE loss recovered).
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { parseHookName, type HookName } from '../model/hookNames.ts'
import type { HookFn } from '../model/hooks.ts'
import { ceLossRecovered } from './metrics.ts'
import type { Sae } from './sae.ts'

/**
 * The hook the SAE reads in this model: `requested` or the SAE's metadata.hook_name, which must agree when both
 * are given. Throws when the hook is not in the model or its width is not the SAE's d_in.
 */
export function resolveSaeHook(model: HookedModel, sae: Sae, requested?: string): HookName {
  const own = sae.config.metadata.hookName
  if (requested !== undefined && own !== null && requested.trim() !== own) {
    throw new InvalidArgumentError(`The SAE was trained on "${own}", but hook "${requested.trim()}" was asked for`)
  }
  const name = requested ?? own
  if (name === null) throw new InvalidArgumentError("The SAE's cfg.json names no hook (metadata.hook_name): say which hook it reads")
  if (sae.config.reshapeActivations === 'hook_z') throw new InvalidArgumentError(`The SAE reads attention hook_z ("${name}"), which this GPT-2 engine does not expose`)
  const hook = parseHookName(name, model.config.nLayers)
  const width = model.hookWidth(hook)
  if (sae.config.dIn !== width) throw new InvalidArgumentError(`The SAE's d_in is ${sae.config.dIn}, but "${hook}" is ${width} wide in this model`)
  return hook
}

export interface SpliceOptions {
  /** Windows per forward pass (default 8). */
  batchSize?: number
  /**
   * Leave each window's first position (its BOS) untouched in both interventions (default true): SAEs trained
   * without the BOS position (SAELens's default) were never asked to reconstruct it.
   */
  keepFirstPosition?: boolean
  onProgress?: (e: { windows: number; total: number }) => void
}

export interface SpliceCrossEntropy {
  /** Mean next-token cross-entropy (nats) of the unmodified model. */
  clean: number
  /** With the hook's activation replaced by the SAE's reconstruction. */
  spliced: number
  /** With the hook's activation replaced by zeros. */
  zeroAblated: number
  /** (zeroAblated − spliced) / (zeroAblated − clean); null when zero-ablation does not change the loss. */
  ceLossRecovered: number | null
  /** Predicted positions scored. */
  tokens: number
}

/** Replaces positions [first, …) of act [batch, pos, d] by `by(act)`, keeping position 0 when `keepFirst`. */
function replaceHook(by: (act: tf.Tensor) => tf.Tensor, keepFirst: boolean): HookFn {
  return (act) =>
    tf.tidy(() => {
      const out = by(act) // [batch, pos, d]
      const [batch, pos, d] = act.shape as [number, number, number]
      if (!keepFirst || pos < 2) return keepFirst ? act.clone() : out
      return tf.concat([tf.slice(act, [0, 0, 0], [batch, 1, d]), tf.slice(out, [0, 1, 0], [batch, pos - 1, d])], 1) // [batch, pos, d]
    })
}

/** Σ −log p(next token) over the real positions of windows (right-padded to logits' length). */
async function sumNats(logits: tf.Tensor3D, windows: readonly (readonly number[])[]): Promise<number> {
  const [, len, vocab] = logits.shape
  const rows: number[] = []
  const targets: number[] = []
  windows.forEach((w, b) => {
    for (let p = 0; p + 1 < w.length; p++) {
      rows.push(b * len + p)
      targets.push(w[p + 1]!)
    }
  })
  if (rows.length === 0) return 0
  const total = tf.tidy(() => {
    const picked = tf.gather(tf.reshape(logits, [-1, vocab]), tf.tensor1d(rows, 'int32')) // [n, vocab]
    const logProbs = tf.logSoftmax(picked) // [n, vocab]
    return tf.neg(tf.sum(tf.mul(logProbs, tf.oneHot(tf.tensor1d(targets, 'int32'), vocab)))) // scalar
  })
  try {
    return (await total.data())[0]!
  } finally {
    total.dispose()
  }
}

/**
 * Cross-entropy of next-token prediction over `windows` three ways: clean, with the SAE spliced in at `hook`, and
 * with `hook` zero-ablated. The interventions are per-call hooks: nothing stays registered on the model.
 */
export async function spliceCrossEntropy(model: HookedModel, sae: Sae, hook: HookName, windows: readonly (readonly number[])[], opts: SpliceOptions = {}): Promise<SpliceCrossEntropy> {
  resolveSaeHook(model, sae, hook)
  const batchSize = opts.batchSize ?? 8
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`)
  const keepFirst = opts.keepFirstPosition ?? true
  const splice = replaceHook((act) => sae.forward(act), keepFirst)
  const zero = replaceHook((act) => tf.zerosLike(act), keepFirst)
  const nats = { clean: 0, spliced: 0, zeroAblated: 0 }
  let tokens = 0
  for (let i = 0; i < windows.length; i += batchSize) {
    const group = windows.slice(i, i + batchSize)
    const len = Math.max(...group.map((w) => w.length))
    const padded = group.map((w) => [...w, ...new Array<number>(len - w.length).fill(w[0] ?? 0)])
    for (const [key, hooks] of [['clean', {}], ['spliced', { [hook]: splice }], ['zeroAblated', { [hook]: zero }]] as const) {
      const logits = await model.forward(padded, { hooks }) // [batch, len, vocab]
      try {
        nats[key] += await sumNats(logits, group)
      } finally {
        logits.dispose()
      }
    }
    tokens += group.reduce((s, w) => s + Math.max(0, w.length - 1), 0)
    opts.onProgress?.({ windows: Math.min(windows.length, i + batchSize), total: windows.length })
  }
  if (tokens === 0) throw new InvalidArgumentError('CE loss needs windows of at least two tokens')
  const ce = { clean: nats.clean / tokens, spliced: nats.spliced / tokens, zeroAblated: nats.zeroAblated / tokens }
  let recovered: number | null = null
  try {
    recovered = ceLossRecovered(ce)
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err
  }
  return { ...ce, ceLossRecovered: recovered, tokens }
}
