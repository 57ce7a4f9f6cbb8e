// Which SAE features cause a model output (Scaling Monosemanticity, "features as computational intermediates").
// The SAE is spliced in at its hook as SAE(x) + error, which leaves the model unchanged (x̂ + e = x); then for every
// active feature i at every position up to the target's:
// - ablation: the target minus the target with f_i := 0 inside SAE(x) + error — exact, one forward per feature
//   (batched: the edit is one decoder row at one position, so a batch row is x − f_i·d_i there);
// - attribution: f_i · ∂target/∂f_i = f_i · (d_i · ∇ₓ target), the first-order estimate of the same difference,
//   from one backward pass through the model downstream of the hook with the error term held fixed.
// The error term gets its own attribution (e · ∇ₓ), and so does the rest of the reconstruction (b_dec and the
// input normalisation's shift): the three add up to x · ∇ₓ. Engines without gradients (ONNX) give ablation only.
import * as tf from '@tensorflow/tfjs'
import { CancelledError, InvalidArgumentError } from '../errors.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { HookName } from '../model/hookNames.ts'
import { denormalizeRows, normalizeRows, type NormalizedRows } from '../sae/normalization.ts'
import type { Sae } from '../sae/sae.ts'
import { resolveSaeHook } from '../sae/splice.ts'
import type { SteeringEdit } from '../steering/interventions.ts'
import { checkTarget, targetOf, type AttributionTarget } from './target.ts'

export interface FeatureEffect {
  position: number
  feature: number
  /** The SAE's own f_i at that position. */
  activation: number
  /** f_i · ∂target/∂f_i; null when the engine has no gradients. */
  attribution: number | null
  /** target − target with f_i := 0 (positive: the feature pushes the target up); null when ablation was skipped. */
  ablation: number | null
}

export interface AttributionResult {
  hook: HookName
  /** The tokens analysed: the prompt up to and including `position` (later tokens cannot change its logits). */
  ids: number[]
  position: number
  target: AttributionTarget
  /** The target on the model with SAE(x) + error spliced in (the clean model's up to float error; the steered model's under steering). */
  value: number
  /** Every active (position, feature), by |attribution| (by |ablation| without gradients), largest first. */
  features: FeatureEffect[]
  /** e · ∇ₓ target per position (additive steering counts here); null without gradients. */
  errorAttribution: number[] | null
  /** (b_dec·scale + shift) · ∇ₓ target per position: the reconstruction that no feature carries; null without gradients. */
  biasAttribution: number[] | null
  /** Why attribution is missing (the engine has no gradients), or null. */
  attributionUnavailable: string | null
}

export interface AttributeOptions {
  target: AttributionTarget
  /** The position whose next-token logits hold the target (default: the prompt's last). */
  position?: number
  /** Run the exact ablations (default true). */
  ablation?: boolean
  /** Ablated copies of the prompt per forward pass (default 32). */
  batchSize?: number
  signal?: AbortSignal
  onProgress?: (e: { ablated: number; total: number }) => void
  /**
   * Explain the steered model: clamped latents take their clamped values inside SAE(x) + error (so a clamped feature
   * is attributed and ablated at its clamped value) and additions join the error term, at the steered positions.
   */
  steering?: SteeringEdit | null
}

/** The SAE's view of activations at the hook (rows: positions): f, x̂ and e, and how x̂ was scaled back. */
export interface Splice {
  f: tf.Tensor2D // [T, dSae]
  recon: tf.Tensor2D // [T, dIn]
  error: tf.Tensor2D // [T, dIn]
  /** x̂ = decode(f)·scale + shift, per position (identity when the SAE normalises nothing). */
  undo: Pick<NormalizedRows, 'scale' | 'shift'>
}

/** x̂ in the input space from latents f [n, dSae]: decode, then undo the SAE's run-time normalisation. Call in a tidy. */
export function reconstruct(sae: Sae, f: tf.Tensor, undo: Splice['undo']): tf.Tensor2D {
  return denormalizeRows(sae.decode(f) as tf.Tensor2D, undo)
}

/** SAE(x) + error for rows x [n, dIn] (steered when asked): shared with contrast.ts, which splices a batch of prompts at once. */
export function splice(sae: Sae, x: tf.Tensor2D, steering: SteeringEdit | null = null): Splice {
  const [f, recon, error, scale, shift] = tf.tidy(() => {
    const undo = normalizeRows(sae.config.normalizeActivations, x)
    let f = sae.encode(x) as tf.Tensor2D // [T, dSae]
    let error = tf.sub(x, reconstruct(sae, f, undo)) // [T, dIn], from the unsteered x̂
    if (steering) {
      // As steerActivation does, at the window's positions only: f_j := c for clamps, then + Σ c·d̂_j.
      const T = x.shape[0]
      const start = Math.min(T, steering.window.start)
      const end = Math.min(T, steering.window.end)
      const inWindow = tf.reshape(tf.tensor1d(Array.from({ length: T }, (_, p) => (p >= start && p < end ? 1 : 0))), [T, 1]) // [T, 1]
      const { clampKeep, clampValues, addition } = steering.compiled
      if (clampKeep && clampValues) {
        const clamped = tf.add(tf.mul(f, tf.tensor1d(clampKeep)), tf.tensor1d(clampValues)) // [T, dSae]
        f = tf.add(tf.mul(clamped, inWindow), tf.mul(f, tf.sub(1, inWindow))) as tf.Tensor2D
      }
      if (addition) error = tf.add(error, tf.mul(inWindow, tf.reshape(tf.tensor1d(addition), [1, -1]))) as tf.Tensor2D
    }
    const recon = reconstruct(sae, f, undo)
    // Only what undoes the normalisation is kept ([0, 1] stands for "none"): the normalised rows are not needed.
    const none = tf.zeros([0, 1])
    return [f, recon, error, undo.scale ?? none, undo.shift ?? tf.clone(none)] as tf.Tensor2D[]
  })
  const orNull = (t: tf.Tensor2D) => (t.size === 0 ? (t.dispose(), null) : t)
  return { f: f!, recon: recon!, error: error!, undo: { scale: orNull(scale!), shift: orNull(shift!) } }
}

export const disposeSplice = (s: Splice) => tf.dispose([s.f, s.recon, s.error, ...(s.undo.scale ? [s.undo.scale] : []), ...(s.undo.shift ? [s.undo.shift] : [])])

async function readTarget(model: HookedModel, ids: number[][], hook: HookName, value: tf.Tensor3D, target: AttributionTarget): Promise<Float32Array> {
  // The engine owns what a hook returns (tfjs disposes it with the pass, ONNX after copying it): hand it a copy.
  const logits = await model.forward(ids, { hooks: { [hook]: () => tf.clone(value) }, logitsAt: 'last' })
  const t = targetOf(logits, target)
  logits.dispose()
  try {
    return (await t.data()) as Float32Array
  } finally {
    t.dispose()
  }
}

export async function attribute(model: HookedModel, sae: Sae, hookRequested: string | undefined, prompt: readonly number[], opts: AttributeOptions): Promise<AttributionResult> {
  const hook = resolveSaeHook(model, sae, hookRequested)
  const position = opts.position ?? prompt.length - 1
  if (!Number.isInteger(position) || position < 0 || position >= prompt.length) throw new InvalidArgumentError(`Position ${position} is outside the prompt (0…${prompt.length - 1})`)
  checkTarget(opts.target, model.config.vocabSize)
  const ids = prompt.slice(0, position + 1)
  if (ids.length > model.config.nCtx) throw new InvalidArgumentError(`${ids.length} tokens exceed the model's context of ${model.config.nCtx}`)
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= model.config.vocabSize)
  if (bad !== undefined) throw new InvalidArgumentError(`Token id ${bad} is outside the vocabulary (size ${model.config.vocabSize})`)
  const batchSize = opts.batchSize ?? 32
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`)
  const T = ids.length
  const { dIn, dSae } = sae.config

  const act = (await model.collectActivations([ids], [hook])).get(hook)! // [1, T, dIn]
  const x = tf.reshape(act, [T, dIn]) as tf.Tensor2D
  act.dispose()
  const s = splice(sae, x, opts.steering ?? null)
  x.dispose()
  const spliced = tf.tidy(() => tf.reshape(tf.add(s.recon, s.error), [1, T, dIn]) as tf.Tensor3D) // [1, T, dIn]
  try {
    const value = (await readTarget(model, [ids], hook, spliced, opts.target))[0]!
    const fData = (await s.f.data()) as Float32Array // [T * dSae]
    const features: FeatureEffect[] = []
    for (let p = 0; p < T; p++) {
      for (let i = 0; i < dSae; i++) {
        const a = fData[p * dSae + i]!
        if (a !== 0) features.push({ position: p, feature: i, activation: a, attribution: null, ablation: null })
      }
    }

    // Attribution: one backward pass for ∂target/∂f and ∂target/∂e.
    const differentiable = model.differentiable()
    let errorAttribution: number[] | null = null
    let biasAttribution: number[] | null = null
    if (differentiable) {
      const [attr, errAttr, biasAttr] = tf.tidy(() => {
        const [gf, ge] = tf.grads((fIn: tf.Tensor, eIn: tf.Tensor) => {
          const hooked = tf.reshape(tf.add(reconstruct(sae, fIn, s.undo), eIn), [1, T, dIn])
          const logits = differentiable.forward([ids], { hooks: { [hook]: () => hooked }, logitsAt: 'last' })
          return tf.sum(targetOf(logits, opts.target))
        })([s.f, s.error]) as [tf.Tensor2D, tf.Tensor2D]
        // x̂ − Σ f_i·d_i·scale = b_dec·scale + shift: the part of the reconstruction no feature carries.
        const bias = denormalizeRows(tf.tile(tf.reshape(sae.weights.bDec, [1, dIn]), [T, 1]) as tf.Tensor2D, s.undo) // [T, dIn]
        return [tf.mul(s.f, gf), tf.sum(tf.mul(s.error, ge), 1), tf.sum(tf.mul(bias, ge), 1)]
      })
      const attrData = (await attr.data()) as Float32Array
      errorAttribution = Array.from((await errAttr.data()) as Float32Array)
      biasAttribution = Array.from((await biasAttr.data()) as Float32Array)
      tf.dispose([attr, errAttr, biasAttr])
      for (const e of features) e.attribution = attrData[e.position * dSae + e.feature]!
    }

    if (opts.ablation !== false) await ablate(model, sae, hook, ids, s, spliced, value, features, { ...opts, batchSize })

    const key = (e: FeatureEffect) => Math.abs(e.attribution ?? e.ablation ?? e.activation)
    features.sort((a, b) => key(b) - key(a))
    return {
      hook,
      ids,
      position,
      target: opts.target,
      value,
      features,
      errorAttribution,
      biasAttribution,
      attributionUnavailable: differentiable ? null : `Attribution needs gradients, which the ${model.engine.kind} engine does not give: ablation is exact, and attribution needs the tfjs engine (a safetensors model)`,
    }
  } finally {
    spliced.dispose()
    disposeSplice(s)
  }
}

/** Fills each feature's ablation: batches of prompts, each with one feature's decoder contribution removed. */
async function ablate(
  model: HookedModel,
  sae: Sae,
  hook: HookName,
  ids: number[],
  s: Splice,
  spliced: tf.Tensor3D,
  value: number,
  features: FeatureEffect[],
  opts: AttributeOptions & { batchSize: number },
): Promise<void> {
  const T = ids.length
  const scale = s.undo.scale ?? tf.ones([T, 1]) // [T, 1]
  try {
    for (let start = 0; start < features.length; start += opts.batchSize) {
      if (opts.signal?.aborted) throw new CancelledError('Attribution cancelled')
      const chunk = features.slice(start, start + opts.batchSize)
      const b = chunk.length
      const batch = tf.tidy(() => {
        const positions = tf.tensor1d(chunk.map((e) => e.position), 'int32')
        const rows = tf.gather(sae.weights.wDec, tf.tensor1d(chunk.map((e) => e.feature), 'int32')) // [b, dIn]
        const amount = tf.mul(tf.tensor2d(chunk.map((e) => e.activation), [b, 1]), tf.gather(scale, positions)) // [b, 1]
        // oneHot in int32, then cast: tfjs-wasm 4.22's float32 oneHot writes the integer 1's bits (1.4e-45).
        const where = tf.expandDims(tf.cast(tf.oneHot(positions, T), 'float32'), 2) // [b, T, 1]
        // x − f_i·d_i·scale at the feature's position: decode(f with f_i := 0) + e, computed without re-decoding.
        return tf.sub(tf.tile(spliced, [b, 1, 1]), tf.mul(where, tf.expandDims(tf.mul(rows, amount), 1))) as tf.Tensor3D // [b, T, dIn]
      })
      try {
        const ablated = await readTarget(model, Array.from({ length: b }, () => ids), hook, batch, opts.target)
        chunk.forEach((e, k) => (e.ablation = value - ablated[k]!))
      } finally {
        batch.dispose()
      }
      opts.onProgress?.({ ablated: start + b, total: features.length })
    }
  } finally {
    if (!s.undo.scale) scale.dispose()
  }
}

/**
 * |top k of `a` ∩ top k of `b`| / k, each ranked by |value| (features keyed by position and index): how far a
 * cheap ranking (attribution, activation) agrees with the exact one (ablation) on the features that matter most.
 */
export function topKOverlap<E extends Pick<FeatureEffect, 'position' | 'feature'>>(features: readonly E[], a: (e: E) => number, b: (e: E) => number, k: number): number {
  if (features.length === 0 || k < 1) return 0
  const n = Math.min(k, features.length)
  const top = (by: (e: E) => number) =>
    new Set(
      [...features]
        .sort((x, y) => Math.abs(by(y)) - Math.abs(by(x)))
        .slice(0, n)
        .map((e) => `${e.position}:${e.feature}`),
    )
  const ta = top(a)
  let shared = 0
  for (const key of top(b)) if (ta.has(key)) shared++
  return shared / n
}
