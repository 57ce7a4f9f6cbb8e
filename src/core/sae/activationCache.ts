// Activations harvested once and reused: training several SAE sizes (or a λ sweep) on one hook costs one pass of
// the model instead of one per run. SAELens offers the same (its cached activations); here the cache is a
// safetensors file with one [rows, d_in] tensor and metadata saying where the rows came from, so that a
// training log can name its data exactly.
import * as tf from '@tensorflow/tfjs'
import { readSafetensors, writeSafetensors } from '../formats/safetensors.ts'
import { InvalidArgumentError, SaeFormatError } from '../errors.ts'
import { createRng, type Rng } from '../generate/rng.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { parseHookName, type HookName } from '../model/hookNames.ts'
import { createTokenWindows, windowActivationData, type ActivationCorpus } from './activationStore.ts'
import { runPassesInOrder, type PassRunner } from './passQueue.ts'

export type { PassRunner } from './passQueue.ts'
import { checkActivationRows } from '../limitChecks.ts'
import { inputScaleFromMeanNorm } from './normalization.ts'
import { describeValue } from '../formats/safeJson.ts'

export const ACTIVATION_CACHE_FORMAT = 'monoscope.activations'
const TENSOR_NAME = 'activations'

/** Where a cache's rows came from; stored as the file's metadata. */
export interface ActivationCacheInfo {
  hookName: HookName
  /** The model's description (path, URL or hf: id). */
  model: string
  /** The corpus's description, e.g. "tinyworld:seed=0". */
  corpus: string
  contextSize: number
  bosTokenId: number | null
  /** Each window's BOS position left out (SAELens's seqpos_slice [1, None]). */
  skipBos: boolean
  /** Positions run through the model, BOS included. */
  tokensProcessed: number
}

export interface ActivationCache {
  info: ActivationCacheInfo
  rows: number
  dIn: number
  /** [rows, dIn], row-major, in corpus order. */
  data: Float32Array
}

export interface HarvestOptions {
  hook: string
  corpus: ActivationCorpus
  corpusDescription: string
  modelDescription: string
  rows: number
  contextSize?: number
  bosTokenId: number | null
  skipBos?: boolean
  /** Windows per forward pass (default 16: a few MB of activations per pass at TinyWorld's width). */
  windowsPerPass?: number
  onProgress?: (rows: number, total: number) => void
  /**
   * Runs passes elsewhere (worker threads, each with its own copy of the model) instead of on `model`, up to
   * `size` at once. Passes are the same windows in the same order either way, so the rows are identical.
   */
  runner?: PassRunner
}


/** Runs the model over the corpus until `rows` activations of the hook are collected, in corpus order. */
export async function harvestActivations(model: HookedModel, opts: HarvestOptions): Promise<ActivationCache> {
  const hook = parseHookName(opts.hook, model.config.nLayers)
  const dIn = model.hookWidth(hook)
  const contextSize = opts.contextSize ?? model.config.nCtx
  const skipBos = (opts.skipBos ?? true) && opts.bosTokenId !== null
  const windowsPerPass = opts.windowsPerPass ?? 16
  if (!Number.isSafeInteger(opts.rows) || opts.rows < 1) throw new InvalidArgumentError(`The row count must be a positive integer, got ${opts.rows}`)
  checkActivationRows(opts.rows, dIn, 'The harvest (harvest fewer rows)')
  const windows = createTokenWindows(opts.corpus, { contextSize, bosTokenId: opts.bosTokenId })
  const data = new Float32Array(opts.rows * dIn)
  let filled = 0
  let tokens = 0
  await runPassesInOrder({
    windows,
    windowsPerPass,
    skipBos,
    needed: opts.rows,
    size: opts.runner?.size ?? 1,
    run: (batch) => (opts.runner ? opts.runner.run(batch) : windowActivationData(model, hook, batch, { skipFirst: skipBos })),
    take: (values) => {
      const take = Math.min(values.length / dIn, opts.rows - filled)
      data.set(values.subarray(0, take * dIn), filled * dIn)
      filled += take
      tokens += windowsPerPass * contextSize
      opts.onProgress?.(filled, opts.rows)
    },
  })
  const info: ActivationCacheInfo = {
    hookName: hook,
    model: opts.modelDescription,
    corpus: opts.corpusDescription,
    contextSize,
    bosTokenId: opts.bosTokenId,
    skipBos,
    tokensProcessed: tokens,
  }
  return { info, rows: opts.rows, dIn, data }
}

export function activationCacheToBytes(cache: ActivationCache): Uint8Array {
  const i = cache.info
  return writeSafetensors(
    { [TENSOR_NAME]: { shape: [cache.rows, cache.dIn], data: cache.data } },
    {
      format: ACTIVATION_CACHE_FORMAT,
      version: '1',
      hook_name: i.hookName,
      model: i.model,
      corpus: i.corpus,
      context_size: String(i.contextSize),
      bos_token_id: i.bosTokenId === null ? 'null' : String(i.bosTokenId),
      skip_bos: String(i.skipBos),
      tokens_processed: String(i.tokensProcessed),
    },
  )
}

/** Reads a cache file, checking its metadata and its one tensor's shape. */
export function readActivationCache(bytes: Uint8Array, source = 'activation cache'): ActivationCache {
  const file = readSafetensors(bytes)
  const m = file.metadata
  const fail = (why: string): never => {
    throw new SaeFormatError(`${source} is not a Monoscope activation cache: ${why}`)
  }
  if (m.format !== ACTIVATION_CACHE_FORMAT) fail(`metadata "format" is ${describeValue(m.format)}, expected "${ACTIVATION_CACHE_FORMAT}"`)
  if (m.version !== '1') fail(`version ${describeValue(m.version)} is not supported (this Monoscope reads version 1)`)
  const tensor = file.tensors.get(TENSOR_NAME) ?? fail(`it has no "${TENSOR_NAME}" tensor`)
  if (tensor.shape.length !== 2 || tensor.shape[0]! < 1 || tensor.shape[1]! < 1) fail(`"${TENSOR_NAME}" has shape [${tensor.shape.join(', ')}], expected [rows, d_in]`)
  const int = (key: string, min: number): number => {
    const v = Number(m[key])
    return Number.isSafeInteger(v) && v >= min ? v : fail(`metadata "${key}" is ${describeValue(m[key])}, expected an integer ≥ ${min}`)
  }
  if (m.skip_bos !== 'true' && m.skip_bos !== 'false') fail(`metadata "skip_bos" must be "true" or "false"`)
  if (typeof m.hook_name !== 'string' || m.hook_name.length === 0) fail('metadata "hook_name" is missing')
  const info: ActivationCacheInfo = {
    hookName: m.hook_name as HookName,
    model: m.model ?? '',
    corpus: m.corpus ?? '',
    contextSize: int('context_size', 1),
    bosTokenId: m.bos_token_id === 'null' ? null : int('bos_token_id', 0),
    skipBos: m.skip_bos === 'true',
    tokensProcessed: int('tokens_processed', 0),
  }
  // A NaN row would turn the SAE trained on it into NaN a few steps in, far from this file: refuse it here.
  const data = tensor.data
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) fail(`"${TENSOR_NAME}" holds ${data[i]} at row ${Math.floor(i / tensor.shape[1]!)}; activations must be finite`)
  return { info, rows: tensor.shape[0]!, dIn: tensor.shape[1]!, data }
}

/**
 * Serves shuffled batches from a cache: each epoch is a fresh seeded permutation of the rows, so every row is
 * seen once per epoch (sampling without replacement, as a shuffled buffer does). Holds no tensors.
 */
export class CachedActivationSource {
  readonly dIn: number
  readonly skipBos: boolean
  private readonly cache: ActivationCache
  private readonly rng: Rng
  private order: Uint32Array
  private next = 0
  private epochs = 0
  private served = 0

  constructor(cache: ActivationCache, opts: { seed?: number } = {}) {
    this.cache = cache
    this.dIn = cache.dIn
    this.skipBos = cache.info.skipBos
    this.rng = createRng(opts.seed ?? 0)
    this.order = this.permutation()
  }

  get rows(): number {
    return this.cache.rows
  }

  /** Rows served so far. */
  get rowsServed(): number {
    return this.served
  }

  /** Whole passes over the cache completed so far. */
  get corpusEpochs(): number {
    return this.epochs
  }

  /** The next `batchSize` rows [batchSize, dIn]; the caller disposes the tensor. */
  nextBatch(batchSize: number): tf.Tensor2D {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`The batch size must be a positive integer, got ${batchSize}`)
    const d = this.dIn
    const out = new Float32Array(batchSize * d)
    for (let r = 0; r < batchSize; r++) {
      const row = this.order[this.next++]!
      out.set(this.cache.data.subarray(row * d, (row + 1) * d), r * d)
      if (this.next === this.order.length) {
        this.order = this.permutation()
        this.next = 0
        this.epochs += 1
      }
    }
    this.served += batchSize
    return tf.tensor2d(out, [batchSize, d]) // [batch, dIn]
  }

  /** Consumes `rows` rows without copying them (to resume a run where it stopped). */
  skip(rows: number): void {
    for (let left = rows; left > 0; ) {
      const take = Math.min(left, this.order.length - this.next)
      this.next += take
      this.served += take
      left -= take
      if (this.next === this.order.length) {
        this.order = this.permutation()
        this.next = 0
        this.epochs += 1
      }
    }
  }

  /** The scale s with E‖s·x‖₂ = √d_in, from the first `rows` rows of the cache (no batches consumed). */
  estimateNormScale(rows: number): { scale: number; meanNorm: number; rows: number } {
    const n = Math.min(rows, this.cache.rows)
    if (!(n >= 1)) throw new InvalidArgumentError(`The normalisation sample needs a positive row count, got ${rows}`)
    const d = this.dIn
    const x = this.cache.data
    let total = 0
    for (let r = 0; r < n; r++) {
      let sq = 0
      for (let j = r * d; j < (r + 1) * d; j++) sq += x[j]! * x[j]!
      total += Math.sqrt(sq)
    }
    const meanNorm = total / n
    return { scale: inputScaleFromMeanNorm(meanNorm, d), meanNorm, rows: n }
  }

  private permutation(): Uint32Array {
    const p = new Uint32Array(this.cache.rows)
    for (let i = 0; i < p.length; i++) p[i] = i
    for (let i = p.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng.next() * (i + 1))
      const t = p[i]!
      p[i] = p[j]!
      p[j] = t
    }
    return p
  }
}
