// Checks the tensors of sae_weights.safetensors against cfg.json: every shape against d_in/d_sae (names alone
// prove nothing), no missing or unknown tensors, finite values; returns SAELens-oriented Float32Arrays.
import { SaeFormatError } from '../errors.ts'
import type { TensorEntry } from '../formats/safetensors.ts'
import type { ParsedSaeLensConfig } from './config.ts'
import type { SaeArrays, SaeConfig } from './types.ts'

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i])

function fail(message: string): never {
  throw new SaeFormatError(`Invalid sae_weights.safetensors: ${message}`)
}

interface Expected {
  shape: number[]
  /** Names of the axes for messages, e.g. ['d_in', 'd_sae']. */
  axes: string[]
}

function expectedShapes(config: SaeConfig): Record<string, Expected> {
  const { dIn, dSae } = config
  return {
    W_enc: { shape: [dIn, dSae], axes: ['d_in', 'd_sae'] },
    W_dec: { shape: [dSae, dIn], axes: ['d_sae', 'd_in'] },
    b_enc: { shape: [dSae], axes: ['d_sae'] },
    b_dec: { shape: [dIn], axes: ['d_in'] },
    threshold: { shape: [dSae], axes: ['d_sae'] },
    log_threshold: { shape: [dSae], axes: ['d_sae'] },
    scaling_factor: { shape: [dSae], axes: ['d_sae'] },
  }
}

function checkShape(name: string, entry: TensorEntry, expected: Expected, config: SaeConfig): void {
  if (sameShape(entry.shape, expected.shape)) return
  const sizes = `d_in=${config.dIn}, d_sae=${config.dSae}`
  const want = `${fmt(expected.shape)} (${expected.axes.join(', ')})`
  const reversed = [...expected.shape].reverse()
  if (expected.shape.length === 2 && config.dIn !== config.dSae && sameShape(entry.shape, reversed)) {
    fail(`${name} has shape ${fmt(entry.shape)}, which is [${[...expected.axes].reverse().join(', ')}]: it looks transposed; SAELens stores ${name} as ${want} for cfg.json's ${sizes}`)
  }
  fail(`${name} has shape ${fmt(entry.shape)} but cfg.json (${sizes}) needs ${want}`)
}

function checkFinite(name: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) fail(`${name} holds ${data[i]} at flat index ${i}; SAE weights must be finite`)
  }
}

/**
 * Validated weights for `parsed`'s config. Pre-6.0 files may carry SAELens's `scaling_factor` (activations are
 * multiplied by it before decoding): all ones is dropped, as SAELens does; otherwise it is folded into W_dec's
 * rows, which computes the same decoder. A `log_threshold` (SAELens's training parameter) becomes `threshold`.
 */
export function saeArraysFromTensors(parsed: ParsedSaeLensConfig, tensors: Map<string, TensorEntry>): SaeArrays {
  const { config } = parsed
  const shapes = expectedShapes(config)
  const isJumpRelu = config.architecture === 'jumprelu'
  const allowed = new Set(['W_enc', 'W_dec', 'b_enc', 'b_dec', 'scaling_factor', ...(isJumpRelu ? ['threshold', 'log_threshold'] : [])])

  const unexpected = [...tensors.keys()].filter((name) => !allowed.has(name))
  if (unexpected.length > 0) {
    const hint = !isJumpRelu && unexpected.includes('threshold') ? ` (a threshold belongs to a jumprelu SAE, but cfg.json says "${config.architecture}")` : ''
    fail(`unexpected tensor${unexpected.length > 1 ? 's' : ''} ${unexpected.map((n) => `"${n}"`).join(', ')} for a ${config.architecture} SAE${hint}`)
  }
  const required = ['W_enc', 'W_dec', 'b_enc', 'b_dec']
  const missing = required.filter((name) => !tensors.has(name))
  if (isJumpRelu && !tensors.has('threshold') && !tensors.has('log_threshold')) missing.push('threshold')
  if (missing.length > 0) fail(`missing tensor${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')} for a ${config.architecture} SAE`)
  if (tensors.has('threshold') && tensors.has('log_threshold')) fail('holds both "threshold" and "log_threshold"; keep one')

  // Check in SAELens's order, so that a wrong d_in is reported on W_enc first.
  for (const name of Object.keys(shapes)) {
    const entry = tensors.get(name)
    if (!entry) continue
    checkShape(name, entry, shapes[name]!, config)
    checkFinite(name, entry.data)
  }

  const get = (name: string): Float32Array => tensors.get(name)!.data.slice() // own copies: the file's bytes may be reused
  const arrays: SaeArrays = { wEnc: get('W_enc'), wDec: get('W_dec'), bEnc: get('b_enc'), bDec: get('b_dec'), threshold: null }
  if (isJumpRelu) {
    if (tensors.has('threshold')) arrays.threshold = get('threshold')
    else arrays.threshold = get('log_threshold').map(Math.exp)
  }

  const scaling = tensors.get('scaling_factor')
  if (scaling && !scaling.data.every((v) => v === 1)) {
    if (!parsed.finetuningScalingFactor) fail('holds a scaling_factor other than all ones but cfg.json does not set finetuning_scaling_factor')
    const { dIn } = config
    for (let i = 0; i < config.dSae; i++) {
      const s = scaling.data[i]!
      for (let j = 0; j < dIn; j++) arrays.wDec[i * dIn + j]! *= s
    }
  }
  return arrays
}

/** The tensors sae_weights.safetensors holds for these weights, in SAELens's names and orientation. */
export function saeArraysToTensors(config: SaeConfig, arrays: SaeArrays): Record<string, { shape: number[]; data: Float32Array }> {
  const { dIn, dSae } = config
  const out: Record<string, { shape: number[]; data: Float32Array }> = {
    W_enc: { shape: [dIn, dSae], data: arrays.wEnc },
    W_dec: { shape: [dSae, dIn], data: arrays.wDec },
    b_enc: { shape: [dSae], data: arrays.bEnc },
    b_dec: { shape: [dIn], data: arrays.bDec },
  }
  if (config.architecture === 'jumprelu') {
    if (!arrays.threshold) throw new SaeFormatError('A jumprelu SAE needs a threshold')
    out.threshold = { shape: [dSae], data: arrays.threshold }
  }
  return out
}

/** Throws SaeFormatError unless the arrays have the sizes `config` implies (for SAEs built in code). */
export function checkSaeArrays(config: SaeConfig, arrays: SaeArrays): void {
  const { dIn, dSae } = config
  const sizes: Array<[string, Float32Array | null, number]> = [
    ['W_enc', arrays.wEnc, dIn * dSae],
    ['W_dec', arrays.wDec, dSae * dIn],
    ['b_enc', arrays.bEnc, dSae],
    ['b_dec', arrays.bDec, dIn],
  ]
  if (config.architecture === 'jumprelu') sizes.push(['threshold', arrays.threshold, dSae])
  for (const [name, data, size] of sizes) {
    if (!data) throw new SaeFormatError(`${name} is missing for a ${config.architecture} SAE`)
    if (data.length !== size) throw new SaeFormatError(`${name} has ${data.length} values but d_in=${dIn}, d_sae=${dSae} need ${size}`)
  }
  if (config.architecture !== 'jumprelu' && arrays.threshold) throw new SaeFormatError(`a ${config.architecture} SAE has no threshold`)
}
