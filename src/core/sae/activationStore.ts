// SAE training data: runs the model over a corpus in context-sized windows, keeps one hook's activations in a
// seeded shuffled buffer and serves batches (SAELens's ActivationsStore without the disk cache), and estimates the
// constant that scales inputs to E‖x‖₂ = √d_in.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import { createRng, type Rng } from '../generate/rng.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { parseHookName, type HookName } from '../model/hookNames.ts'
import type { TextTokenizer } from '../tokenizer/tokenizer.ts'
import { createWorldStream } from '../world/generator.ts'
import { checkActivationRows } from '../limitChecks.ts'
import { inputScaleFromMeanNorm, sumOfRowNorms } from './normalization.ts'
import { PassQueue, type PassRunner } from './passQueue.ts'

export type { PassRunner } from './passQueue.ts'

/** Where tokens come from: TinyWorld's flat stream, text lines (tokenized, joined by BOS), or a fixed id stream. */
export type ActivationCorpus =
  | { kind: 'world'; seed: number }
  | { kind: 'lines'; lines: readonly string[]; tokenizer: Pick<TextTokenizer, 'encode'> }
  | { kind: 'tokens'; ids: readonly number[] }

export interface TokenWindowOptions {
  contextSize: number
  /** Prepended to every window (SAELens's prepend_bos) and put between text lines; null: neither. */
  bosTokenId: number | null
}

/** An endless source of windows of exactly contextSize tokens; finite corpora repeat. */
export interface TokenWindows {
  next(count: number): number[][]
  /** How many times a finite corpus has been read through (0 for TinyWorld). */
  readonly epochs: number
}

export function createTokenWindows(corpus: ActivationCorpus, opts: TokenWindowOptions): TokenWindows {
  const { contextSize, bosTokenId } = opts
  if (!Number.isInteger(contextSize) || contextSize < (bosTokenId === null ? 1 : 2)) {
    throw new InvalidArgumentError(`The context size must be an integer ≥ ${bosTokenId === null ? 1 : 2}, got ${contextSize}`)
  }
  const body = bosTokenId === null ? contextSize : contextSize - 1
  let epochs = 0
  let take: (n: number) => number[]
  if (corpus.kind === 'world') {
    const stream = createWorldStream(corpus.seed, { labels: false })
    if (bosTokenId !== null) stream.takeTokens(1) // the stream opens with <|endoftext|>; every window gets its own BOS
    take = (n) => Array.from(stream.takeTokens(n).ids)
  } else {
    // Lines are tokenized lazily, one at a time, so a large file costs nothing until it is read.
    const pieces = corpus.kind === 'tokens' ? [corpus.ids] : corpus.lines
    const encode = (i: number): readonly number[] => {
      if (corpus.kind === 'tokens') return corpus.ids
      const ids = corpus.tokenizer.encode(corpus.lines[i]!)
      return ids.length > 0 && bosTokenId !== null ? [...ids, bosTokenId] : ids
    }
    let line = 0
    let pending: readonly number[] = []
    let offset = 0
    let emptyRun = 0
    take = (n) => {
      const out: number[] = []
      while (out.length < n) {
        if (offset === pending.length) {
          if (pieces.length === 0 || emptyRun > pieces.length) throw new InvalidArgumentError('The corpus has no tokens')
          pending = encode(line)
          emptyRun = pending.length === 0 ? emptyRun + 1 : 0
          offset = 0
          line += 1
          if (line === pieces.length) {
            line = 0
            epochs += 1
          }
          continue
        }
        out.push(pending[offset++]!)
      }
      return out
    }
  }
  return {
    next: (count) => Array.from({ length: count }, () => (bosTokenId === null ? take(body) : [bosTokenId, ...take(body)])),
    get epochs() {
      return epochs
    },
  }
}

/**
 * The hook's activations at every position of `windows` [rows, width], in window order, skipping each window's
 * first position when `skipFirst` (the BOS, which SAELens leaves out). Windows may differ in length: shorter
 * ones are padded on the right, which cannot change earlier positions of a causal model, and the padding is dropped.
 */
export async function windowActivations(model: HookedModel, hook: HookName, windows: readonly (readonly number[])[], opts: { skipFirst: boolean }): Promise<tf.Tensor2D> {
  if (windows.length === 0) throw new InvalidArgumentError('windowActivations needs at least one window')
  const width = model.hookWidth(hook)
  const len = Math.max(...windows.map((w) => w.length))
  const start = opts.skipFirst ? 1 : 0
  const padded = windows.map((w) => (w.length === len ? [...w] : [...w, ...new Array<number>(len - w.length).fill(w[0]!)]))
  const act = (await model.collectActivations(padded, [hook])).get(hook)! // [batch, len, width]
  try {
    return tf.tidy(() => {
      if (windows.every((w) => w.length === len)) {
        return tf.reshape(tf.slice(act, [0, start, 0], [windows.length, len - start, width]), [-1, width]) as tf.Tensor2D // [rows, width]
      }
      const index: number[] = []
      windows.forEach((w, b) => {
        for (let p = start; p < w.length; p++) index.push(b * len + p)
      })
      return tf.gather(tf.reshape(act, [-1, width]), tf.tensor1d(index, 'int32')) as tf.Tensor2D // [rows, width]
    })
  } finally {
    act.dispose()
  }
}

/** windowActivations read back as a plain array [rows·width] (the tensor disposed): one pass's rows. */
export async function windowActivationData(model: HookedModel, hook: HookName, windows: readonly (readonly number[])[], opts: { skipFirst: boolean }): Promise<Float32Array> {
  const acts = await windowActivations(model, hook, windows, opts) // [rows, width]
  try {
    return (await acts.data()) as Float32Array
  } finally {
    acts.dispose()
  }
}

/**
 * Windows covering whole documents in order: each is BOS (when there is one) and up to contextSize − 1 tokens of one
 * document, so the windows' non-BOS positions, read in order, are exactly the documents' tokens.
 */
export function documentWindows(docs: readonly (readonly number[])[], opts: TokenWindowOptions): number[][] {
  const body = opts.bosTokenId === null ? opts.contextSize : opts.contextSize - 1
  if (!(body >= 1)) throw new InvalidArgumentError(`The context size ${opts.contextSize} leaves no room for tokens`)
  const out: number[][] = []
  for (const doc of docs) {
    for (let i = 0; i < doc.length; i += body) {
      const chunk = doc.slice(i, i + body)
      out.push(opts.bosTokenId === null ? chunk : [opts.bosTokenId, ...chunk])
    }
  }
  return out
}

export interface ActivationStoreProgress {
  phase: 'fill'
  /** Rows ready to serve after this forward pass. */
  rows: number
  capacity: number
  /** Tokens (positions) run through the model so far. */
  tokens: number
}

export interface ActivationStoreOptions {
  /** Any per-position hook point of the model (TransformerLens name). */
  hook: string
  corpus: ActivationCorpus
  /** Tokens per window, BOS included (default: the model's context). */
  contextSize?: number
  /** Windows per forward pass (default 8: ~2k tokens at TinyWorld's 256, a few MB of activations). */
  windowsPerPass?: number
  /** Rows kept for shuffling (default 65,536: hundreds of windows, so a batch mixes many documents). */
  bufferRows?: number
  /** Leave out each window's BOS position (default true, as SAELens: its activation is an outlier of huge norm). */
  skipBos?: boolean
  /**
   * Runs the model's passes elsewhere (worker threads with their own copy of the model), up to `size` at once,
   * instead of on `model`. The passes are the same windows in the same order, so every batch is identical. With a
   * runner the store also runs the next refill's passes while its batches are served (up to half the buffer ahead).
   */
  runner?: PassRunner
  /** Default: the model's bos_token_id. */
  bosTokenId?: number | null
  /** Default true; false serves rows in corpus order (for tests and inspection). */
  shuffle?: boolean
  seed?: number
  onProgress?: (e: ActivationStoreProgress) => void
}

/** Holds no tensors: the buffer is a Float32Array and every batch is a new tensor that the caller disposes. */
export class ActivationStore {
  readonly hook: HookName
  readonly dIn: number
  readonly contextSize: number
  readonly bosTokenId: number | null
  readonly skipBos: boolean
  readonly capacity: number
  private readonly windowsPerPass: number
  private readonly rng: Rng | null
  private readonly onProgress: ActivationStoreOptions['onProgress']
  private readonly runner: PassRunner | null
  private readonly passes: PassQueue
  private buffer: Float32Array
  private start = 0 // rows [start, end) are ready to serve
  private end = 0
  private tokens = 0
  private served = 0
  private epochs = 0

  constructor(model: HookedModel, opts: ActivationStoreOptions) {
    const c = model.config
    this.hook = parseHookName(opts.hook, c.nLayers)
    this.dIn = model.hookWidth(this.hook)
    this.contextSize = opts.contextSize ?? c.nCtx
    if (!Number.isInteger(this.contextSize) || this.contextSize < 1 || this.contextSize > c.nCtx) {
      throw new InvalidArgumentError(`The context size must be an integer in [1, ${c.nCtx}] (the model's context), got ${this.contextSize}`)
    }
    this.bosTokenId = opts.bosTokenId === undefined ? c.bosTokenId : opts.bosTokenId
    if (this.bosTokenId !== null && !(Number.isInteger(this.bosTokenId) && this.bosTokenId >= 0 && this.bosTokenId < c.vocabSize)) {
      throw new InvalidArgumentError(`The BOS token id ${this.bosTokenId} is outside the vocabulary (size ${c.vocabSize})`)
    }
    this.skipBos = (opts.skipBos ?? true) && this.bosTokenId !== null
    const windows = createTokenWindows(opts.corpus, { contextSize: this.contextSize, bosTokenId: this.bosTokenId })
    this.windowsPerPass = opts.windowsPerPass ?? 8
    this.capacity = opts.bufferRows ?? 65_536
    for (const [name, v] of [['windowsPerPass', this.windowsPerPass], ['bufferRows', this.capacity]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`)
    }
    checkActivationRows(this.capacity, this.dIn, 'The activation buffer')
    this.rng = opts.shuffle === false ? null : createRng(opts.seed ?? 0)
    this.onProgress = opts.onProgress
    this.runner = opts.runner ?? null
    const runner = this.runner
    this.passes = new PassQueue({
      windows,
      windowsPerPass: this.windowsPerPass,
      skipBos: this.skipBos,
      size: runner?.size ?? 1,
      run: (w) => (runner ? runner.run(w) : windowActivationData(model, this.hook, w, { skipFirst: this.skipBos })),
    })
    this.buffer = new Float32Array(0)
  }

  /** Positions run through the model so far (BOS included). */
  get tokensProcessed(): number {
    return this.tokens
  }

  get rowsServed(): number {
    return this.served
  }

  /** Read-throughs of the corpus behind the rows taken so far (passes run ahead are not counted). */
  get corpusEpochs(): number {
    return this.epochs
  }

  /**
   * The next `batchSize` rows [batchSize, dIn]; the caller disposes the tensor. Async because a refill reads the
   * model's activations back asynchronously: WebGPU's synchronous readback is slow, and wrong on some adapters.
   */
  async nextBatch(batchSize: number): Promise<tf.Tensor2D> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`The batch size must be a positive integer, got ${batchSize}`)
    checkActivationRows(batchSize, this.dIn, 'A batch') // a batch larger than the buffer grows it
    // SAELens refills once half the buffer is used, so every batch mixes old and new windows.
    if (this.end - this.start < Math.max(batchSize, this.capacity / 2)) await this.refill(Math.max(batchSize, this.capacity))
    const d = this.dIn
    const batch = tf.tensor2d(this.buffer.slice(this.start * d, (this.start + batchSize) * d), [batchSize, d]) // [batch, dIn]
    this.start += batchSize
    this.served += batchSize
    return batch
  }

  /**
   * Consumes `rows` rows and returns the scale s with E‖s·x‖₂ = √d_in (Anthropic's normalisation; SAELens's
   * estimate_norm_scaling_factor), with the mean norm it came from.
   */
  async estimateNormScale(rows: number): Promise<{ scale: number; meanNorm: number; rows: number }> {
    if (!Number.isInteger(rows) || rows < 1) throw new InvalidArgumentError(`The normalisation sample needs a positive row count, got ${rows}`)
    let total = 0
    for (let done = 0; done < rows; ) {
      const n = Math.min(4096, rows - done)
      const batch = await this.nextBatch(n)
      try {
        total += await sumOfRowNorms(batch)
      } finally {
        batch.dispose()
      }
      done += n
    }
    const meanNorm = total / rows
    return { scale: inputScaleFromMeanNorm(meanNorm, this.dIn), meanNorm, rows }
  }

  /** Compacts what is left, runs the model until at least `target` rows are ready, then shuffles them all. */
  private async refill(target: number): Promise<void> {
    const d = this.dIn
    const rowsPerPass = this.windowsPerPass * (this.contextSize - (this.skipBos ? 1 : 0))
    const needed = (target + rowsPerPass) * d
    const left = this.end - this.start
    if (this.buffer.length < needed) {
      const grown = new Float32Array(needed)
      grown.set(this.buffer.subarray(this.start * d, this.end * d))
      this.buffer = grown
    } else {
      this.buffer.copyWithin(0, this.start * d, this.end * d)
    }
    this.start = 0
    this.end = left
    await this.passes.take(target - this.end, (pass) => {
      if (pass.data.length !== pass.rows * d) throw new Error(`A forward pass returned ${pass.data.length} values for ${pass.rows} rows of ${d}`)
      this.buffer.set(pass.data, this.end * d)
      this.end += pass.rows
      this.epochs = pass.epochs
      this.tokens += this.windowsPerPass * this.contextSize
      this.onProgress?.({ phase: 'fill', rows: this.end, capacity: this.capacity, tokens: this.tokens })
    })
    // The next refill happens once half the buffer is served: its passes run on the runner's threads meanwhile.
    if (this.runner) this.passes.prefetch(Math.ceil(this.capacity / 2))
    if (this.rng) this.shuffleRows(this.end)
  }

  /** Fisher–Yates over rows [0, n) of the buffer, in place. */
  private shuffleRows(n: number): void {
    const d = this.dIn
    const tmp = new Float32Array(d)
    const buf = this.buffer
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.rng!.next() * (i + 1))
      if (j === i) continue
      tmp.set(buf.subarray(i * d, (i + 1) * d))
      buf.copyWithin(i * d, j * d, (j + 1) * d)
      buf.set(tmp, j * d)
    }
  }
}
