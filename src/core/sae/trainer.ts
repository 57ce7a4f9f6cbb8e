// The SAE trainer: the Scaling Monosemanticity recipe (and TopK/AuxK, BatchTopK, JumpReLU) over batches from a
// callback, with logging, checkpoints to plain data, bit-identical resume, and a stop on NaN/∞ that keeps the
// last good state. Pure tfjs, no fs: runs unchanged in Node and in a Web Worker.
import * as tf from '@tensorflow/tfjs'
import { CancelledError, InvalidArgumentError, TrainingDivergedError } from '../errors.ts'
import { adamUpdate, clipScale } from '../optim/adam.ts'
import { emptyWindow, trainedParamNames, validateCheckpoint, CHECKPOINT_FORMAT, type SaeCheckpoint, type TrainerState } from './checkpoint.ts'
import { exportTrainedSae, type ExportedSae } from './export.ts'
import { STAT_NAMES, totalVariance, type LossAndGrads } from './gradients.ts'
import { tidyObject } from './ops.ts'
import { combineShards, shardable, splitRows, type GradientShardPool, type ShardRequest } from './shards.ts'
import { stepLossAndGrads } from './stepLoss.ts'
import { stepPath } from './stepPath.ts'
import type { EncoderEngine } from './encoderEngine.ts'
import { disposePlan, planStep } from './stepPlan.ts'
import { Sae } from './sae.ts'
import { logEntry, type TrainLogEntry } from './trainLog.ts'
import { learningRateAt, sparsityCoefficientAt } from './schedule.ts'
import { initParamArrays, paramNames, paramShapes, paramsFromArrays, type ParamArrays, type ParamName, type TrainParams } from './trainParams.ts'
import { MAX_DEAD_WINDOW_TOKENS, resolveTrainerConfig, type SaeTrainerConfig, type SaeTrainerOptions } from './trainerConfig.ts'
import { isBatchTopKFamily, type SaeMetadata } from './types.ts'

export type { TrainLogEntry } from './trainLog.ts'

export interface TrainStepResult {
  /** Steps completed, this one included. */
  step: number
  loss: number
  mse: number
  sparsity: number
  aux: number
  gradNorm: number
}

export interface SaeTrainerCallbacks {
  onLog?: (entry: TrainLogEntry) => void
}

export type BatchSource = () => tf.Tensor2D | Promise<tf.Tensor2D>

export interface RunOptions {
  /** Stop after this many steps (default: until totalSteps). */
  steps?: number
  /** Checked between steps; aborting rejects with CancelledError, leaving the trainer usable. */
  signal?: AbortSignal
}

/** NaN or ∞ in the loss or gradients: training stopped before applying the step. */
export class SaeTrainingDivergedError extends TrainingDivergedError {
  /** The state before the failing step when it is finite, else the last periodic checkpoint (null if none). */
  readonly checkpoint: SaeCheckpoint | null

  constructor(message: string, step: number, checkpoint: SaeCheckpoint | null) {
    super(message, step)
    this.checkpoint = checkpoint
  }
}

/** Yield between steps this often, so a worker can handle messages (cancel, progress requests). */
const YIELD_EVERY_MS = 50

/**
 * Fewest rows worth sending to another thread: below this its fixed cost (the parameters posted, read and written
 * back, the per-step dense passes over d_sae) outweighs its share of the matmuls.
 */
export const MIN_SHARD_ROWS = 64

type Moments = Partial<Record<ParamName, tf.Tensor>>

export class SaeTrainer {
  readonly config: SaeTrainerConfig
  onLog: ((entry: TrainLogEntry) => void) | undefined
  private params: TrainParams
  private m: Moments
  private v: Moments
  private tokensSinceFired: tf.Tensor1D // [dSae], float32 integers capped at MAX_DEAD_WINDOW_TOKENS
  private windowFireCounts: tf.Tensor1D // [dSae]
  private state: TrainerState
  private lastGood: SaeCheckpoint | null = null
  private disposed = false
  private pool: GradientShardPool | null = null
  private encoder: EncoderEngine | null = null

  private constructor(config: SaeTrainerConfig, arrays: Record<string, Float32Array>, state: TrainerState, callbacks: SaeTrainerCallbacks) {
    this.config = config
    this.onLog = callbacks.onLog
    this.params = paramsFromArrays(arrays, config.dIn, config.dSae)
    const shapes = paramShapes(config.dIn, config.dSae)
    this.m = {}
    this.v = {}
    for (const name of trainedParamNames(config)) {
      this.m[name] = arrays[`adam.m.${name}`] ? tf.tensor(arrays[`adam.m.${name}`]!, shapes[name]) : tf.zeros(shapes[name])
      this.v[name] = arrays[`adam.v.${name}`] ? tf.tensor(arrays[`adam.v.${name}`]!, shapes[name]) : tf.zeros(shapes[name])
    }
    this.tokensSinceFired = arrays.tokens_since_fired ? tf.tensor1d(arrays.tokens_since_fired) : tf.zeros([config.dSae])
    this.windowFireCounts = arrays.window_fire_counts ? tf.tensor1d(arrays.window_fire_counts) : tf.zeros([config.dSae])
    this.state = structuredClone(state)
  }

  /** A fresh trainer with seeded initial weights. */
  static create(options: SaeTrainerOptions, callbacks: SaeTrainerCallbacks = {}): SaeTrainer {
    const config = resolveTrainerConfig(options)
    const arrays = initParamArrays({
      dIn: config.dIn,
      dSae: config.dSae,
      seed: config.seed,
      decoderInitNorm: config.decoderInitNorm,
      initThreshold: config.architecture === 'jumprelu' ? config.jumpReluInitThreshold : null,
    }) as Record<string, Float32Array>
    return new SaeTrainer(config, arrays, { step: 0, tokensSeen: 0, batchTopKThreshold: 0, window: emptyWindow() }, callbacks)
  }

  /** Resumes exactly where `checkpoint()` left off. */
  static fromCheckpoint(checkpoint: SaeCheckpoint, callbacks: SaeTrainerCallbacks = {}): SaeTrainer {
    const c = validateCheckpoint(checkpoint)
    const arrays = Object.fromEntries(Object.entries(c.tensors).map(([name, t]) => [name, t.data]))
    return new SaeTrainer(c.config, arrays, c.state, callbacks)
  }

  /**
   * Splits each step's batch over `pool`'s threads and this one (shards.ts), or stops (null). Only the per-row
   * architectures split (standard, topk, jumprelu); the result equals the one-thread step within float rounding.
   * The caller owns the pool and disposes it.
   */
  useThreads(pool: GradientShardPool | null): void {
    this.pool = pool
  }

  /**
   * Runs each step's encoder forward on `engine` (encoderEngine.ts), or in tfjs again (null), wherever the sparse
   * path is allowed (a step that then goes dense reuses the engine's pre); a path pinned dense, a GPU backend and
   * Matryoshka's step keep theirs in tfjs. Results equal tfjs's within float rounding. The caller owns it.
   */
  useEncoder(engine: EncoderEngine | null): void {
    this.encoder = engine
  }

  /** Steps completed. */
  get step(): number {
    return this.state.step
  }

  get tokensSeen(): number {
    return this.state.tokensSeen
  }

  get done(): boolean {
    return this.state.step >= this.config.totalSteps
  }

  /** The checkpoint kept every checkpointEvery steps (null before the first). */
  get lastCheckpoint(): SaeCheckpoint | null {
    return this.lastGood
  }

  /**
   * One step on `batch` [n, dIn] (raw activations; inputScale is applied here). The caller keeps and disposes `batch`.
   * Every read back is asynchronous (`data()`, never `dataSync()`): tfjs-webgpu's synchronous readback goes through
   * a canvas, which is slow and, on some adapters (SwiftShader in a worker), returns zeros.
   */
  async trainStep(batch: tf.Tensor2D): Promise<TrainStepResult> {
    this.assertLive()
    const c = this.config
    if (batch.rank !== 2 || batch.shape[1] !== c.dIn || batch.shape[0] < 1) {
      throw new InvalidArgumentError(`A training batch must be [n, ${c.dIn}], got [${batch.shape.join(', ')}]`)
    }
    if (this.done) throw new InvalidArgumentError(`Training already finished its ${c.totalSteps} steps`)
    const n = batch.shape[0]
    const t = this.state.step
    const lr = learningRateAt(t, c.totalSteps, c.lr, c.lrDecayFraction)
    const coefficient = this.sparsityCoefficient(t)

    const { dead, deadCount } = await this.deadLatents()
    let lg: LossAndGrads
    try {
      lg = this.pool && shardable(c.architecture) && n >= 2 * MIN_SHARD_ROWS
        ? await this.shardedLossAndGrads(batch, coefficient, dead, deadCount, this.pool)
        : await this.localLossAndGrads(batch, coefficient, dead, deadCount)
    } finally {
      dead?.dispose()
    }
    let out: { grads: Record<ParamName, tf.Tensor>; scale: tf.Scalar; fireCounts: tf.Tensor1D; readout: tf.Tensor1D }
    try {
      out = tf.tidy(() => {
        const names = Object.keys(lg.grads) as ParamName[]
        const { scale, norm } = clipScale(names.map((name) => lg.grads[name]!), c.maxGradNorm)
        const extra = lg.minSelected ? [tf.reshape(lg.minSelected, [1])] : []
        const readout = tf.concat([lg.stats, tf.reshape(norm, [1]), ...extra]) // one sync for every number
        return { grads: lg.grads, scale, fireCounts: lg.fireCounts, readout }
      }) as typeof out
    } finally {
      tf.dispose([lg.stats, ...(lg.minSelected ? [lg.minSelected] : [])])
    }
    let values: Float32Array | Int32Array | Uint8Array
    try {
      values = await out.readout.data()
    } catch (err) {
      // A backend that fails its readback (a lost GPU device, an injected fault) must not strand the step's tensors.
      tf.dispose([out.readout, out.scale, out.fireCounts, ...Object.values(out.grads)])
      throw err
    }
    const stat = (name: (typeof STAT_NAMES)[number]) => values[STAT_NAMES.indexOf(name)]!
    const gradNorm = values[STAT_NAMES.length]!
    const minSelected = isBatchTopKFamily(c.architecture) ? values[STAT_NAMES.length + 1]! : Infinity

    if (!Number.isFinite(stat('loss')) || !Number.isFinite(gradNorm)) {
      tf.dispose([out.readout, out.scale, out.fireCounts, ...Object.values(out.grads)])
      throw await this.diverged(t, stat('loss'), gradNorm)
    }

    this.applyAdam(out.grads, out.scale, lr, t + 1)
    this.updateFiring(out.fireCounts, n)
    tf.dispose([out.readout, out.scale, out.fireCounts])
    if (isBatchTopKFamily(c.architecture) && Number.isFinite(minSelected)) {
      // SAELens's update_topk_threshold: an exponential moving average of the smallest selected activation.
      const rate = c.batchTopKThresholdLr
      this.state.batchTopKThreshold = (1 - rate) * this.state.batchTopKThreshold + rate * minSelected
    }

    const s = this.state
    s.step += 1
    s.tokensSeen += n
    const w = s.window
    w.steps += 1
    w.tokens += n
    w.loss += stat('loss')
    w.mse += stat('mse')
    w.sparsity += stat('sparsity')
    w.aux += stat('aux')
    w.sse += stat('sse')
    w.sst += stat('sst')
    w.gradNorm += gradNorm
    if (s.step % c.logEvery === 0 || s.step === c.totalSteps) await this.emitLog(lr, coefficient)
    if (c.checkpointEvery > 0 && s.step % c.checkpointEvery === 0) this.lastGood = await this.checkpoint()
    return { step: s.step, loss: stat('loss'), mse: stat('mse'), sparsity: stat('sparsity'), aux: stat('aux'), gradNorm }
  }

  /** Trains on batches from `nextBatch` (each disposed after its step) until totalSteps or opts.steps. */
  async run(nextBatch: BatchSource, opts: RunOptions = {}): Promise<void> {
    const until = Math.min(this.config.totalSteps, this.state.step + (opts.steps ?? Infinity))
    let lastYield = performance.now()
    while (this.state.step < until) {
      if (opts.signal?.aborted) throw new CancelledError('SAE training cancelled')
      const batch = await nextBatch()
      try {
        await this.trainStep(batch)
      } finally {
        batch.dispose()
      }
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setTimeout(resolve, 0))
        lastYield = performance.now()
      }
    }
  }

  /** The whole training state as plain data. */
  async checkpoint(): Promise<SaeCheckpoint> {
    this.assertLive()
    const named: [string, tf.Tensor][] = []
    for (const name of trainedParamNames(this.config)) named.push([name, this.params[name]!], [`adam.m.${name}`, this.m[name]!], [`adam.v.${name}`, this.v[name]!])
    named.push(['tokens_since_fired', this.tokensSinceFired], ['window_fire_counts', this.windowFireCounts])
    // Snapshot the state before awaiting: reads resolve later, but the tensors read are the ones current now.
    const state = structuredClone(this.state)
    const values = await Promise.all(named.map(([, t]) => t.data() as Promise<Float32Array>))
    const tensors: SaeCheckpoint['tensors'] = {}
    named.forEach(([name, t], i) => (tensors[name] = { shape: [...t.shape], data: values[i]!.slice() }))
    return { format: CHECKPOINT_FORMAT, version: 1, config: structuredClone(this.config), state, tensors }
  }

  /** The SAE in SAELens form, acting on raw activations (inputScale folded in; batchtopk and matryoshka_batchtopk as jumprelu). */
  async exportSae(metadata: Partial<SaeMetadata> = {}): Promise<ExportedSae> {
    return exportTrainedSae(await this.checkpoint(), metadata)
  }

  /** exportSae as a runnable Sae (the caller disposes it). */
  async toSae(metadata: Partial<SaeMetadata> = {}): Promise<Sae> {
    const { config, arrays } = await this.exportSae(metadata)
    return Sae.fromArrays(config, arrays)
  }

  /**
   * The training objective on rows it did not train on, at the full sparsity coefficient, without AuxK (a
   * training aid, not part of what the SAE is judged on), updating nothing: the loss a scaling sweep compares.
   * `batch` [n, dIn] is raw activations (inputScale is applied here); the caller keeps and disposes it.
   */
  async evaluate(batch: tf.Tensor2D): Promise<{ loss: number; mse: number; sparsity: number; sse: number; sst: number; l0: number }> {
    this.assertLive()
    const c = this.config
    if (batch.rank !== 2 || batch.shape[1] !== c.dIn || batch.shape[0] < 1) {
      throw new InvalidArgumentError(`An evaluation batch must be [n, ${c.dIn}], got [${batch.shape.join(', ')}]`)
    }
    const stats = tf.tidy(() => {
      const x = c.inputScale === 1 ? batch : (tf.mul(batch, c.inputScale) as tf.Tensor2D) // [n, dIn]
      const lg = stepLossAndGrads(this.params, x, c, { coefficient: this.sparsityCoefficient(c.totalSteps), dead: null, deadCount: 0, plan: null }) // no plan: the dense step, exact at any sparsity
      return tf.concat([lg.stats, tf.reshape(tf.div(tf.sum(lg.fireCounts), batch.shape[0]), [1])]) // [stats…, L0]
    })
    let values: Float32Array | Int32Array | Uint8Array
    try {
      values = await stats.data()
    } finally {
      stats.dispose()
    }
    const stat = (name: (typeof STAT_NAMES)[number]) => values[STAT_NAMES.indexOf(name)]!
    return { loss: stat('mse') + stat('sparsity'), mse: stat('mse'), sparsity: stat('sparsity'), sse: stat('sse'), sst: stat('sst'), l0: values[STAT_NAMES.length]! }
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    tf.dispose([...Object.values(this.params), ...Object.values(this.m), ...Object.values(this.v), this.tokensSinceFired, this.windowFireCounts] as tf.Tensor[])
  }

  private assertLive(): void {
    if (this.disposed) throw new InvalidArgumentError('This SAE trainer has been disposed')
  }

  private sparsityCoefficient(step: number): number {
    const c = this.config
    const base = c.architecture === 'standard' ? c.l1Coefficient : c.architecture === 'jumprelu' ? c.l0Coefficient : 0
    return sparsityCoefficientAt(step, c.totalSteps, base, c.sparsityWarmupFraction)
  }

  /** topk/batchtopk/matryoshka_batchtopk with AuxK: the dead mask [dSae] and its count (one small asynchronous read). */
  private async deadLatents(): Promise<{ dead: tf.Tensor1D | null; deadCount: number }> {
    const c = this.config
    if ((c.architecture !== 'topk' && !isBatchTopKFamily(c.architecture)) || c.auxKCoefficient === 0) return { dead: null, deadCount: 0 }
    const dead = tf.tidy(() => tf.cast(tf.greaterEqual(this.tokensSinceFired, c.deadWindowTokens), 'float32') as tf.Tensor1D)
    const count = tf.tidy(() => tf.sum(dead))
    let deadCount: number
    try {
      deadCount = (await count.data())[0]!
    } catch (err) {
      dead.dispose()
      throw err
    } finally {
      count.dispose()
    }
    if (deadCount === 0) {
      dead.dispose()
      return { dead: null, deadCount: 0 }
    }
    return { dead, deadCount }
  }

  /** The step's loss and gradients on this thread (the plan for a sparse step read first, asynchronously). */
  private async localLossAndGrads(batch: tf.Tensor2D, coefficient: number, dead: tf.Tensor1D | null, deadCount: number): Promise<LossAndGrads> {
    const c = this.config
    const x = c.inputScale === 1 ? batch : (tf.mul(batch, c.inputScale) as tf.Tensor2D) // [n, dIn]
    try {
      const plan = await planStep(this.params, x, c, this.encoder)
      try {
        return tidyObject(() => stepLossAndGrads(this.params, x, c, { coefficient, dead, deadCount, plan }))
      } finally {
        disposePlan(plan)
      }
    } finally {
      if (x !== batch) x.dispose()
    }
  }

  /**
   * The same, with the batch split into row shards (shards.ts): the other threads start on theirs first, this
   * thread computes the first shard meanwhile, and the results combine into the whole batch's gradients.
   */
  private async shardedLossAndGrads(batch: tf.Tensor2D, coefficient: number, dead: tf.Tensor1D | null, deadCount: number, pool: GradientShardPool): Promise<LossAndGrads> {
    const c = this.config
    const n = batch.shape[0]
    const sizes = splitRows(n, pool.size + 1, MIN_SHARD_ROWS)
    if (sizes.length === 1) return this.localLossAndGrads(batch, coefficient, dead, deadCount)
    const names = paramNames(this.params)
    const [rows, deadValues, ...paramValues] = (await Promise.all([batch.data(), dead ? dead.data() : Promise.resolve(null), ...names.map((name) => this.params[name]!.data())])) as (Float32Array | null)[]
    const params: ParamArrays = {}
    names.forEach((name, i) => (params[name] = paramValues[i]!))
    const requests: ShardRequest[] = []
    let offset = sizes[0]!
    for (const size of sizes.slice(1)) {
      const x = rows!.slice(offset * c.dIn, (offset + size) * c.dIn)
      requests.push({ config: c, params, x, rows: size, coefficient, dead: deadValues ?? null, deadCount, path: stepPath(), externalEncoder: this.encoder !== null })
      offset += size
    }
    const remote = pool.compute(requests)
    remote.catch(() => {}) // awaited below; a rejection while this thread computes must not go unhandled
    const first = tf.slice(batch, [0, 0], [sizes[0]!, c.dIn]) as tf.Tensor2D // [n0, dIn]
    let local: LossAndGrads
    try {
      local = await this.localLossAndGrads(first, coefficient, dead, deadCount)
    } finally {
      first.dispose()
    }
    try {
      const results = await remote
      return tidyObject(() => {
        const x = c.inputScale === 1 ? batch : (tf.mul(batch, c.inputScale) as tf.Tensor2D) // [n, dIn]
        const sst = totalVariance(x, tf.ones([1, n]) as tf.Tensor2D, n)
        return combineShards(local, sizes[0]!, results, sst, c)
      })
    } finally {
      tf.dispose([local.stats, local.fireCounts, ...Object.values(local.grads), ...(local.minSelected ? [local.minSelected] : [])] as tf.Tensor[])
    }
  }

  private applyAdam(grads: Partial<Record<ParamName, tf.Tensor>>, scale: tf.Scalar, lr: number, t: number): void {
    const c = this.config
    for (const name of trainedParamNames(c)) {
      const grad = grads[name]!
      const next = tidyObject(() => adamUpdate(this.params[name]!, grad, this.m[name]!, this.v[name]!, scale, lr, t, c))
      tf.dispose([this.params[name]!, this.m[name]!, this.v[name]!, grad])
      ;(this.params as unknown as Record<ParamName, tf.Tensor>)[name] = next.param
      this.m[name] = next.m
      this.v[name] = next.v
    }
  }

  private updateFiring(fireCounts: tf.Tensor1D, n: number): void {
    const [since, window] = tf.tidy(() => {
      const fired = tf.greater(fireCounts, 0)
      const aged = tf.minimum(tf.add(this.tokensSinceFired, n), MAX_DEAD_WINDOW_TOKENS)
      return [tf.where(fired, tf.zerosLike(aged), aged) as tf.Tensor1D, tf.add(this.windowFireCounts, fireCounts) as tf.Tensor1D]
    })
    tf.dispose([this.tokensSinceFired, this.windowFireCounts])
    this.tokensSinceFired = since!
    this.windowFireCounts = window!
  }

  private async emitLog(lr: number, coefficient: number): Promise<void> {
    const c = this.config
    const [fired, since] = await Promise.all([this.windowFireCounts.data(), this.tokensSinceFired.data()])
    const entry = logEntry(c, this.state, fired, since, lr, coefficient)
    this.state.window = emptyWindow()
    this.windowFireCounts.dispose()
    this.windowFireCounts = tf.zeros([c.dSae])
    this.onLog?.(entry)
  }

  private async diverged(step: number, loss: number, gradNorm: number): Promise<SaeTrainingDivergedError> {
    const finite = tf.tidy(() => tf.addN(trainedParamNames(this.config).map((name) => tf.sum(tf.abs(this.params[name]!)))))
    let paramsFinite: boolean
    try {
      paramsFinite = Number.isFinite((await finite.data())[0]!)
    } finally {
      finite.dispose()
    }
    const checkpoint = paramsFinite ? await this.checkpoint() : this.lastGood
    const kept = checkpoint ? `the last good state (after step ${checkpoint.state.step}) is in error.checkpoint` : 'no finite checkpoint is available'
    return new SaeTrainingDivergedError(
      `SAE training diverged at step ${step + 1}: loss ${loss}, gradient norm ${gradNorm}. Check the batch for NaN/∞ or lower the learning rate; ${kept}.`,
      step,
      checkpoint,
    )
  }
}
