// Steering interventions on one SAE's hook: clamp a feature (SAE(x) with fⱼ := c, plus the error term) or add c·d̂ⱼ,
// several at once, with strengths absolute or in multiples of a feature's max activation, at chosen positions.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import type { HookName } from '../model/hookNames.ts'
import type { HookFn, Hooks } from '../model/hooks.ts'
import type { Sae } from '../sae/sae.ts'
import { asFeatureIndex } from './featureKey.ts'
import { positionWindow, windowSlice, type PositionPolicy, type PositionWindow } from './positions.ts'
import { steerActivation, type CompiledSteering } from './steerActivation.ts'
import { describeValue } from '../formats/safeJson.ts'

export type SteeringMode = 'clamp' | 'add'

export const STEERING_MODES: readonly SteeringMode[] = Object.freeze(['clamp', 'add'])

/**
 * Strengths are in the analysis views' activation units, fⱼ·‖W_dec,j‖ (DESIGN.md), so that clamping to c and adding
 * c move x along d̂ⱼ by the same amount, and 'maxMultiple' uses the dashboards' max activation directly.
 */
export type Strength = { readonly kind: 'absolute'; readonly value: number } | { readonly kind: 'maxMultiple'; readonly multiple: number }

export interface Intervention {
  /** A latent of the SAE the hooks are built for (the SAE id is implied). */
  readonly index: number
  readonly mode: SteeringMode
  readonly strength: Strength
}

/** Max activation per feature (activation units), e.g. from the dashboards: an array by index or a map. */
export type MaxActs = ArrayLike<number> | ReadonlyMap<number, number>

export interface ResolvedIntervention {
  readonly index: number
  readonly mode: SteeringMode
  /** c in activation units. */
  readonly value: number
}

function maxActOf(maxActs: MaxActs | undefined, index: number): number | undefined {
  if (!maxActs) return undefined
  return 'get' in maxActs && typeof maxActs.get === 'function' ? (maxActs as ReadonlyMap<number, number>).get(index) : (maxActs as ArrayLike<number>)[index]
}

/** Checks indices, modes and numbers, turns multiples into values, and refuses the same (feature, mode) twice. */
export function resolveInterventions(interventions: readonly Intervention[], dSae: number, maxActs?: MaxActs): ResolvedIntervention[] {
  const seen = new Set<string>()
  return interventions.map(({ index, mode, strength }) => {
    asFeatureIndex(index, dSae)
    if (!STEERING_MODES.includes(mode)) throw new InvalidArgumentError(`Unknown steering mode ${describeValue(mode)}: expected clamp or add`)
    const key = `${mode}:${index}`
    if (seen.has(key)) throw new InvalidArgumentError(`Feature ${index} is set to ${mode} twice; keep one`)
    seen.add(key)
    const amount = strength.kind === 'absolute' ? strength.value : strength.kind === 'maxMultiple' ? strength.multiple : NaN
    if (!Number.isFinite(amount)) throw new InvalidArgumentError(`Feature ${index}: the strength must be a finite number, got ${describeValue(strength)}`)
    if (strength.kind === 'absolute') return { index, mode, value: amount }
    const max = maxActOf(maxActs, index)
    if (max === undefined || !Number.isFinite(max)) {
      throw new InvalidArgumentError(`Feature ${index}: a strength of ${amount}× max needs the feature's max activation, which is not known; compute its dashboard or give an absolute strength`)
    }
    if (max <= 0) throw new InvalidArgumentError(`Feature ${index} never activates (max activation ${max}), so ${amount}× max means nothing; give an absolute strength`)
    return { index, mode, value: amount * max }
  })
}

/** Turns resolved interventions into plain arrays, reading the decoder rows they need once. */
export async function compileInterventions(sae: Sae, resolved: readonly ResolvedIntervention[]): Promise<CompiledSteering> {
  const { dIn, dSae } = sae.config
  const indices = [...new Set(resolved.map((r) => r.index))]
  const rows = new Map<number, { row: Float32Array; norm: number; effectiveNorm: number }>()
  if (indices.length > 0) {
    const [wRows, effNorms] = tf.tidy(() => {
      const idx = tf.tensor1d(indices, 'int32')
      const norms = sae.decoderNorms() // [dSae]
      return [tf.gather(sae.weights.wDec, idx), tf.gather(norms, idx)] // [k, dIn], [k]
    })
    // Asynchronous reads: a synchronous one on WebGPU returned zeros in a worker ("all-zero decoder direction").
    let w: Float32Array, eff: Float32Array
    try {
      ;[w, eff] = (await Promise.all([wRows.data(), effNorms.data()])) as [Float32Array, Float32Array]
    } finally {
      tf.dispose([wRows, effNorms])
    }
    indices.forEach((index, k) => {
      const row = Float32Array.from(w.subarray(k * dIn, (k + 1) * dIn))
      let sq = 0
      for (const v of row) sq += v * v
      rows.set(index, { row, norm: Math.sqrt(sq), effectiveNorm: eff[k]! })
    })
  }
  let clampKeep: Float32Array | null = null
  let clampValues: Float32Array | null = null
  let addition: Float32Array | null = null
  for (const { index, mode, value } of resolved) {
    const { row, norm, effectiveNorm } = rows.get(index)!
    if (!(norm > 0) || !(effectiveNorm > 0)) throw new InvalidArgumentError(`Feature ${index} has an all-zero decoder direction, so it cannot be steered`)
    if (mode === 'clamp') {
      clampKeep ??= new Float32Array(dSae).fill(1)
      clampValues ??= new Float32Array(dSae)
      clampKeep[index] = 0
      clampValues[index] = value / effectiveNorm // the latent value whose activation (fⱼ·‖d_j‖) is c
    } else {
      addition ??= new Float32Array(dIn)
      for (let i = 0; i < dIn; i++) addition[i]! += (value * row[i]!) / norm
    }
  }
  return { dIn, dSae, clampKeep, clampValues, addition }
}

export interface SteeringHookOptions {
  /** Tokens in the prompt: positions from here on hold generated tokens. */
  promptLength: number
  /** Default 'all' (the paper clamps at every position). */
  positions?: PositionPolicy
  /** Leave position 0 alone; steer.ts sets it when position 0 is the model's BOS. Default false. */
  skipFirstPosition?: boolean
  /** Needed for 'maxMultiple' strengths. */
  maxActs?: MaxActs
}

/** What steering does and where: the compiled interventions and the absolute positions they apply to. */
export interface SteeringEdit {
  compiled: CompiledSteering
  window: PositionWindow
}

/** Validates and compiles interventions for a prompt of `promptLength` tokens; null when nothing would change. */
export async function compileSteeringEdit(sae: Sae, interventions: readonly Intervention[], opts: SteeringHookOptions): Promise<SteeringEdit | null> {
  const { promptLength } = opts
  if (!Number.isInteger(promptLength) || promptLength < 1) throw new InvalidArgumentError(`promptLength must be an integer ≥ 1, got ${promptLength}`)
  const compiled = await compileInterventions(sae, resolveInterventions(interventions, sae.config.dSae, opts.maxActs))
  if (!compiled.clampKeep && !compiled.addition) return null
  return { compiled, window: positionWindow(opts.positions ?? 'all', promptLength, opts.skipFirstPosition ?? false) }
}

/**
 * Hooks that steer `hook` (the SAE's hook; check it with resolveSaeHook) during any forward pass, with or without a
 * KV cache: positions are absolute (HookContext.positionOffset), so both give the same activations. Validates
 * everything now, so that a bad intervention fails before generation starts. Empty interventions give no hooks.
 */
export async function buildSteeringHooks(sae: Sae, hook: HookName, interventions: readonly Intervention[], opts: SteeringHookOptions): Promise<Hooks> {
  const edit = await compileSteeringEdit(sae, interventions, opts)
  if (!edit) return {}
  const { compiled, window } = edit
  const fn: HookFn = (act, ctx) => {
    if (act.rank !== 3) throw new InvalidArgumentError(`Steering expects [batch, pos, d] at ${ctx.name}, got [${act.shape.join(', ')}]`)
    const [batch, pos, d] = act.shape as [number, number, number]
    const part = windowSlice(window, ctx.positionOffset, pos)
    if (!part) return undefined
    if (part.size === pos) return steerActivation(sae, compiled, act)
    return tf.tidy(() => {
      const end = part.start + part.size
      const pieces = [
        ...(part.start > 0 ? [tf.slice(act, [0, 0, 0], [batch, part.start, d])] : []), // [batch, start, d] untouched
        steerActivation(sae, compiled, tf.slice(act, [0, part.start, 0], [batch, part.size, d])), // [batch, size, d]
        ...(end < pos ? [tf.slice(act, [0, end, 0], [batch, pos - end, d])] : []), // [batch, pos − end, d] untouched
      ]
      return tf.concat(pieces, 1) // [batch, pos, d]
    })
  }
  return { [hook]: fn }
}
