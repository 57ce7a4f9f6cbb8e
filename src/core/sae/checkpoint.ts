// Trainer checkpoints as plain data (Float32Arrays + JSON numbers, safe to post from a worker) and as one
// safetensors file (state and settings in its metadata). Resuming from one continues bit for bit on the same backend.
import { InvalidArgumentError } from '../errors.ts'
import { readSafetensors, writeSafetensors } from '../formats/safetensors.ts'
import { paramShapes, type ParamName } from './trainParams.ts'
import { resolveTrainerConfig, type SaeTrainerConfig } from './trainerConfig.ts'
import { parseJsonChecked } from '../formats/safeJson.ts'

/** Sums over the steps since the last log entry (JS numbers: float64, exact in JSON). */
export interface LogWindow {
  steps: number
  tokens: number
  loss: number
  mse: number
  sparsity: number
  aux: number
  sse: number
  sst: number
  gradNorm: number
}

export interface TrainerState {
  /** Steps completed. */
  step: number
  tokensSeen: number
  /** batchtopk, matryoshka_batchtopk: SAELens's running threshold (decoder-scaled units), saved as the jumprelu threshold. */
  batchTopKThreshold: number
  window: LogWindow
}

export interface SaeCheckpoint {
  format: typeof CHECKPOINT_FORMAT
  version: 1
  config: SaeTrainerConfig
  state: TrainerState
  /** Parameters (training layout, W_dec as W_dec_T), `adam.m.*`, `adam.v.*`, `tokens_since_fired`, `window_fire_counts`. */
  tensors: Record<string, { shape: number[]; data: Float32Array }>
}

export const CHECKPOINT_FORMAT = 'monoscope.sae-trainer-checkpoint'
const METADATA_KEY = 'monoscope_checkpoint'

export function emptyWindow(): LogWindow {
  return { steps: 0, tokens: 0, loss: 0, mse: 0, sparsity: 0, aux: 0, sse: 0, sst: 0, gradNorm: 0 }
}

export function trainedParamNames(config: SaeTrainerConfig): ParamName[] {
  return ['W_enc', 'b_enc', 'W_dec_T', 'b_dec', ...(config.architecture === 'jumprelu' ? (['log_threshold'] as const) : [])]
}

/** Every tensor a checkpoint of this config holds, with its shape. */
export function checkpointTensorShapes(config: SaeTrainerConfig): Record<string, number[]> {
  const shapes = paramShapes(config.dIn, config.dSae)
  const out: Record<string, number[]> = {}
  for (const name of trainedParamNames(config)) {
    out[name] = shapes[name]
    out[`adam.m.${name}`] = shapes[name]
    out[`adam.v.${name}`] = shapes[name]
  }
  out.tokens_since_fired = [config.dSae]
  out.window_fire_counts = [config.dSae]
  return out
}

function fail(message: string): never {
  throw new InvalidArgumentError(`Invalid SAE trainer checkpoint: ${message}`)
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Throws InvalidArgumentError unless `c` is a complete checkpoint (settings, state, every tensor at its shape). */
export function validateCheckpoint(c: SaeCheckpoint): SaeCheckpoint {
  if (!isRecord(c) || c.format !== CHECKPOINT_FORMAT) fail(`format must be "${CHECKPOINT_FORMAT}"`)
  if (c.version !== 1) fail(`version ${String(c.version)} is not supported (expected 1)`)
  const config = resolveTrainerConfig(c.config)
  const s = c.state
  if (!isRecord(s) || !Number.isSafeInteger(s.step) || s.step < 0 || !Number.isSafeInteger(s.tokensSeen) || typeof s.batchTopKThreshold !== 'number' || !isRecord(s.window)) {
    fail('state must hold step, tokensSeen, batchTopKThreshold and window')
  }
  for (const key of Object.keys(emptyWindow()) as (keyof LogWindow)[]) {
    if (typeof s.window[key] !== 'number') fail(`state.window.${key} must be a number`)
  }
  const shapes = checkpointTensorShapes(config)
  for (const [name, shape] of Object.entries(shapes)) {
    const t = c.tensors[name]
    if (!t) fail(`tensor "${name}" is missing`)
    const size = shape.reduce((a, b) => a * b, 1)
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]) || t.data.length !== size) {
      fail(`tensor "${name}" has shape [${t.shape.join(', ')}] but the settings need [${shape.join(', ')}]`)
    }
  }
  const extra = Object.keys(c.tensors).filter((n) => !(n in shapes))
  if (extra.length > 0) fail(`unexpected tensors ${extra.join(', ')}`)
  return { ...c, config }
}

/** One safetensors file holding the whole checkpoint. */
export function checkpointToBytes(c: SaeCheckpoint): Uint8Array {
  validateCheckpoint(c)
  const meta = JSON.stringify({ format: c.format, version: c.version, config: c.config, state: c.state })
  return writeSafetensors(c.tensors, { [METADATA_KEY]: meta })
}

export function checkpointFromBytes(bytes: Uint8Array): SaeCheckpoint {
  const file = readSafetensors(bytes)
  const meta = file.metadata[METADATA_KEY]
  if (meta === undefined) fail(`the file has no "${METADATA_KEY}" metadata (not a Monoscope SAE trainer checkpoint)`)
  const parsed = parseJsonChecked(meta, (detail) => fail(`its metadata is ${detail}`))
  if (!isRecord(parsed)) fail('its metadata must be a JSON object')
  const tensors: SaeCheckpoint['tensors'] = {}
  for (const [name, entry] of file.tensors) tensors[name] = { shape: entry.shape, data: entry.data.slice() }
  return validateCheckpoint({ ...(parsed as Omit<SaeCheckpoint, 'tensors'>), tensors })
}
