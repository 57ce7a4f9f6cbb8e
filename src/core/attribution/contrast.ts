// Contrastive search (Scaling Monosemanticity's "feature search" by contrast): which SAE features tell two prompt sets
// apart — one with a concept, one without. Per feature: its mean activation over every token of each set (a BOS
// position excluded), the fraction of those tokens where it fires, and optionally its mean attribution to a target
// read at each prompt's last position (f_i · ∂target/∂f_i summed over the prompt's positions, averaged over prompts).
import * as tf from '@tensorflow/tfjs'
import { CancelledError, InvalidArgumentError } from '../errors.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { HookName } from '../model/hookNames.ts'
import type { Sae } from '../sae/sae.ts'
import { resolveSaeHook } from '../sae/splice.ts'
import { disposeSplice, reconstruct, splice } from './attribute.ts'
import { checkTarget, targetOf, type AttributionTarget } from './target.ts'

export type PromptSet = readonly (readonly number[])[]

export interface ContrastOptions {
  /** Explained at each prompt's last position; null or absent: activations only. */
  target?: AttributionTarget | null
  /**
   * A first token that is this id is left out of means and attribution sums (default: the model's BOS): every prompt
   * starts with it, and its huge, context-free activations say nothing about either set.
   */
  bosToken?: number | null
  /** Prompts per forward pass (default 16: TinyWorld windows of 64 tokens × 1024 latents stay a few MB). */
  batchSize?: number
  signal?: AbortSignal
  onProgress?: (e: { done: number; total: number }) => void
}

export interface SetStats {
  prompts: number
  /** Tokens the means are over: every position but a leading BOS. */
  tokens: number
  /** Per feature: mean f_i over those tokens. */
  mean: Float32Array
  /** Per feature: the fraction of those tokens where f_i ≠ 0. */
  firing: Float32Array
  /** Per feature: Σ over positions of f_i · ∂target/∂f_i, averaged over prompts; null without a target or gradients. */
  attribution: Float32Array | null
}

export interface ContrastResult {
  hook: HookName
  target: AttributionTarget | null
  with: SetStats
  without: SetStats
  /** Feature indices by mean_with − mean_without, largest first (features the concept turns on lead). */
  byActivation: number[]
  /** Feature indices by attribution_with − attribution_without, largest first; null when attribution is missing. */
  byAttribution: number[] | null
  /** Why attribution is missing although a target was asked for (no gradients), or null. */
  attributionUnavailable: string | null
}

/** One feature's row, for tables and JSON. */
export interface FeatureContrast {
  feature: number
  meanWith: number
  meanWithout: number
  difference: number
  firingWith: number
  firingWithout: number
  attributionWith: number | null
  attributionWithout: number | null
  attributionDifference: number | null
}

export function featureContrast(r: ContrastResult, feature: number): FeatureContrast {
  const aw = r.with.attribution?.[feature] ?? null
  const ao = r.without.attribution?.[feature] ?? null
  return {
    feature,
    meanWith: r.with.mean[feature]!,
    meanWithout: r.without.mean[feature]!,
    difference: r.with.mean[feature]! - r.without.mean[feature]!,
    firingWith: r.with.firing[feature]!,
    firingWithout: r.without.firing[feature]!,
    attributionWith: aw,
    attributionWithout: ao,
    attributionDifference: aw === null || ao === null ? null : aw - ao,
  }
}

function checkPrompts(model: HookedModel, prompts: PromptSet, name: string): void {
  if (prompts.length === 0) throw new InvalidArgumentError(`The ${name} set has no prompts`)
  for (const ids of prompts) {
    if (ids.length === 0) throw new InvalidArgumentError(`A prompt of the ${name} set has no tokens`)
    if (ids.length > model.config.nCtx) throw new InvalidArgumentError(`A prompt of the ${name} set has ${ids.length} tokens, more than the model's context of ${model.config.nCtx}`)
    const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= model.config.vocabSize)
    if (bad !== undefined) throw new InvalidArgumentError(`Token id ${bad} in the ${name} set is outside the vocabulary (size ${model.config.vocabSize})`)
  }
}

/** 1 where a position counts, 0 on a leading BOS and on padding: [b·L] in row-major order. */
function positionMask(chunk: PromptSet, length: number, bos: number | null): Float32Array {
  const mask = new Float32Array(chunk.length * length)
  chunk.forEach((ids, b) => {
    for (let p = ids[0] === bos ? 1 : 0; p < ids.length; p++) mask[b * length + p] = 1
  })
  return mask
}

const countOf = (mask: Float32Array) => mask.reduce((a, v) => a + v, 0)

interface Pass {
  model: HookedModel
  sae: Sae
  hook: HookName
  bos: number | null
  batchSize: number
  signal?: AbortSignal
  tick: (n: number) => void
}

/** Σ f and Σ [f ≠ 0] per feature over the counted tokens, right-padding each batch (causal attention: padding after a
 *  prompt cannot change its activations). */
async function sumActivations(pass: Pass, prompts: PromptSet): Promise<{ sum: Float64Array; fired: Float64Array; tokens: number }> {
  const { model, sae, hook, bos, batchSize } = pass
  const { dIn, dSae } = sae.config
  const sum = new Float64Array(dSae)
  const fired = new Float64Array(dSae)
  let tokens = 0
  for (let start = 0; start < prompts.length; start += batchSize) {
    if (pass.signal?.aborted) throw new CancelledError('Contrast cancelled')
    const chunk = prompts.slice(start, start + batchSize)
    const L = Math.max(...chunk.map((ids) => ids.length))
    const padded = chunk.map((ids) => [...ids, ...new Array<number>(L - ids.length).fill(0)])
    const mask = positionMask(chunk, L, bos)
    tokens += countOf(mask)
    const act = (await model.collectActivations(padded, [hook])).get(hook)! // [b, L, dIn]
    const [s, c] = tf.tidy(() => {
      const f = sae.encode(tf.reshape(act, [chunk.length * L, dIn])) // [b·L, dSae]
      const m = tf.tensor2d(mask, [chunk.length * L, 1]) // [b·L, 1]
      return [tf.sum(tf.mul(f, m), 0), tf.sum(tf.mul(tf.cast(tf.notEqual(f, 0), 'float32'), m), 0)] // [dSae] each
    })
    act.dispose()
    try {
      const [sd, cd] = [(await s!.data()) as Float32Array, (await c!.data()) as Float32Array]
      for (let i = 0; i < dSae; i++) {
        sum[i] = sum[i]! + sd[i]!
        fired[i] = fired[i]! + cd[i]!
      }
    } finally {
      tf.dispose([s!, c!])
    }
    pass.tick(chunk.length)
  }
  return { sum, fired, tokens }
}

/** Σ over prompts and counted positions of f_i · ∂target/∂f_i, one backward per batch of equal-length prompts (the
 *  target sits at the last position, so prompts are grouped by length rather than padded). */
async function sumAttributions(pass: Pass, prompts: PromptSet, target: AttributionTarget): Promise<Float64Array> {
  const { model, sae, hook, bos, batchSize } = pass
  const differentiable = model.differentiable()!
  const { dIn, dSae } = sae.config
  const total = new Float64Array(dSae)
  const byLength = new Map<number, number[][]>()
  for (const ids of prompts) {
    const group = byLength.get(ids.length) ?? []
    group.push([...ids])
    byLength.set(ids.length, group)
  }
  for (const [T, group] of byLength) {
    for (let start = 0; start < group.length; start += batchSize) {
      if (pass.signal?.aborted) throw new CancelledError('Contrast cancelled')
      const chunk = group.slice(start, start + batchSize)
      const b = chunk.length
      const act = (await model.collectActivations(chunk, [hook])).get(hook)! // [b, T, dIn]
      const x = tf.reshape(act, [b * T, dIn]) as tf.Tensor2D // [b·T, dIn]
      act.dispose()
      const s = splice(sae, x)
      x.dispose()
      let attr: tf.Tensor1D | null = null
      try {
        attr = tf.tidy(() => {
          const gf = tf.grad((fIn: tf.Tensor) => {
            const hooked = tf.reshape(tf.add(reconstruct(sae, fIn, s.undo), s.error), [b, T, dIn]) // [b, T, dIn]
            // Rows do not interact, so the gradient of the batch's sum is each prompt's own gradient.
            return tf.sum(targetOf(differentiable.forward(chunk, { hooks: { [hook]: () => hooked }, logitsAt: 'last' }), target))
          })(s.f) // [b·T, dSae]
          const m = tf.tensor2d(positionMask(chunk, T, bos), [b * T, 1]) // [b·T, 1]
          return tf.sum(tf.mul(tf.mul(s.f, gf), m), 0) as tf.Tensor1D // [dSae]
        })
        const data = (await attr.data()) as Float32Array
        for (let i = 0; i < dSae; i++) total[i] = total[i]! + data[i]!
      } finally {
        attr?.dispose()
        disposeSplice(s)
      }
      pass.tick(b)
    }
  }
  return total
}

const rank = (score: (i: number) => number, n: number) =>
  Array.from({ length: n }, (_, i) => i).sort((a, b) => score(b) - score(a) || a - b)

export async function contrast(model: HookedModel, sae: Sae, hookRequested: string | undefined, withSet: PromptSet, withoutSet: PromptSet, opts: ContrastOptions = {}): Promise<ContrastResult> {
  const hook = resolveSaeHook(model, sae, hookRequested)
  checkPrompts(model, withSet, '"with"')
  checkPrompts(model, withoutSet, '"without"')
  const target = opts.target ?? null
  if (target) checkTarget(target, model.config.vocabSize)
  const batchSize = opts.batchSize ?? 16
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`)
  const bos = opts.bosToken === undefined ? model.config.bosTokenId : opts.bosToken
  const withAttribution = target !== null && model.differentiable() !== null
  const total = (withSet.length + withoutSet.length) * (withAttribution ? 2 : 1)
  let done = 0
  const pass: Pass = { model, sae, hook, bos, batchSize, signal: opts.signal, tick: (n) => opts.onProgress?.({ done: (done += n), total }) }

  const stats = async (prompts: PromptSet, name: string): Promise<SetStats> => {
    const { sum, fired, tokens } = await sumActivations(pass, prompts)
    if (tokens === 0) throw new InvalidArgumentError(`The ${name} set has no tokens besides BOS`)
    const attribution = withAttribution ? Float32Array.from(await sumAttributions(pass, prompts, target), (v) => v / prompts.length) : null
    return { prompts: prompts.length, tokens, mean: Float32Array.from(sum, (v) => v / tokens), firing: Float32Array.from(fired, (v) => v / tokens), attribution }
  }
  const a = await stats(withSet, '"with"')
  const b = await stats(withoutSet, '"without"')
  const dSae = sae.config.dSae
  return {
    hook,
    target,
    with: a,
    without: b,
    byActivation: rank((i) => a.mean[i]! - b.mean[i]!, dSae),
    byAttribution: a.attribution && b.attribution ? rank((i) => a.attribution![i]! - b.attribution![i]!, dSae) : null,
    attributionUnavailable:
      target !== null && !withAttribution ? `Attribution needs gradients, which the ${model.engine.kind} engine does not give: the ranking is by activation only` : null,
  }
}
