// Data-parallel SAE steps: the batch split into row shards whose gradients other threads compute, then combined
// into exactly the full batch's gradients. Every loss term of the per-row architectures (standard, TopK, JumpReLU) is
// a mean over rows of a per-row quantity (MSE, λ·Σfᵢ‖W_dec,i‖, λ·L0, AuxK's Σ‖e − ê‖²/n), so the batch's gradient is
// the row-weighted mean of the shards' gradients. BatchTopK and Matryoshka BatchTopK select across the whole batch,
// so a shard's selection would differ from the batch's: they stay on one thread. Platform-free: this file only says
// what a shard computes and how the results combine; the threads are Node worker_threads (src/cli/threads/).
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import type { EncoderEngine } from './encoderEngine.ts'
import { STAT_NAMES, type LossAndGrads } from './gradients.ts'
import { disposePlan, planStep } from './stepPlan.ts'
import { setStepPath, stepPath, type StepPath } from './stepPath.ts'
import { stepLossAndGrads } from './stepLoss.ts'
import type { SaeTrainerConfig } from './trainerConfig.ts'
import { paramShapes, paramsFromArrays, type ParamArrays, type ParamName } from './trainParams.ts'
import type { TrainArchitecture } from './types.ts'

/** One shard's work: everything a thread needs, as plain arrays (posted, never shared tensors). */
export interface ShardRequest {
  config: SaeTrainerConfig
  /** The trainer's parameters before this step. */
  params: ParamArrays
  /** The shard's rows [rows, dIn], raw (config.inputScale is applied by the shard, as by the trainer). */
  x: Float32Array
  rows: number
  coefficient: number
  /** 0/1 [dSae] AuxK's dead latents, or null. */
  dead: Float32Array | null
  deadCount: number
  /** The step path the caller runs (pinned by tests and benchmarks), so every shard takes the same one. */
  path: StepPath
  /** Whether the caller's encoder forward runs on an EncoderEngine, so the shard's should too (its pool's choice which). */
  externalEncoder: boolean
}

export interface ShardResult {
  rows: number
  /** Each gradient as a mean over the shard's rows. */
  grads: ParamArrays
  /** STAT_NAMES, each over the shard's rows. */
  stats: Float32Array
  /** [dSae] how many of the shard's rows each latent fired on. */
  fireCounts: Float32Array
}

/** Threads that each compute one shard. */
export interface GradientShardPool {
  /** How many shards it computes at once (the caller computes one more itself). */
  readonly size: number
  /** One result per request, in order; rejects when any shard fails. */
  compute(requests: ShardRequest[]): Promise<ShardResult[]>
  dispose(): Promise<void>
}

/** Whether a step on this architecture can be split into row shards with the same result. */
export function shardable(architecture: TrainArchitecture): boolean {
  return architecture === 'standard' || architecture === 'topk' || architecture === 'jumprelu'
}

/**
 * Row counts for `parts` shards of n rows: as equal as possible, none empty (fewer parts when n is small), and
 * none below `minRows`, under which a thread's fixed cost (posting the parameters, its own dense passes) outweighs
 * its share of the work.
 */
export function splitRows(n: number, parts: number, minRows = 1): number[] {
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`Cannot split ${n} rows`)
  const count = Math.max(1, Math.min(parts, Math.floor(n / Math.max(1, minRows))))
  const base = Math.floor(n / count)
  return Array.from({ length: count }, (_, i) => base + (i < n % count ? 1 : 0))
}

/** A shard's step: what a pool's thread runs for each request (`encoder` where it asks for one). Disposes everything it creates. */
export async function computeShard(r: ShardRequest, encoder: EncoderEngine | null = null): Promise<ShardResult> {
  const c = r.config
  if (r.x.length !== r.rows * c.dIn) throw new InvalidArgumentError(`A shard of ${r.rows} rows needs ${r.rows * c.dIn} values, got ${r.x.length}`)
  const before = stepPath()
  setStepPath(r.path)
  const params = paramsFromArrays(r.params as Record<string, Float32Array>, c.dIn, c.dSae)
  const raw = tf.tensor2d(r.x, [r.rows, c.dIn])
  const x = c.inputScale === 1 ? raw : (tf.mul(raw, c.inputScale) as tf.Tensor2D) // [rows, dIn]
  const dead = r.dead ? tf.tensor1d(r.dead) : null
  const toRead: tf.Tensor[] = []
  try {
    const plan = await planStep(params, x, c, encoder)
    let lg: LossAndGrads
    try {
      lg = tf.tidy(() => stepLossAndGrads(params, x, c, { coefficient: r.coefficient, dead, deadCount: r.deadCount, plan }) as unknown as tf.TensorContainer) as unknown as LossAndGrads
    } finally {
      disposePlan(plan)
    }
    const names = Object.keys(lg.grads) as ParamName[]
    toRead.push(lg.stats, lg.fireCounts, ...names.map((name) => lg.grads[name]!))
    if (lg.minSelected) toRead.push(lg.minSelected)
    const values = (await Promise.all(toRead.slice(0, 2 + names.length).map((t) => t.data()))) as Float32Array[]
    const grads: ParamArrays = {}
    names.forEach((name, i) => (grads[name] = values[2 + i]!))
    return { rows: r.rows, grads, stats: values[0]!, fireCounts: values[1]! }
  } finally {
    tf.dispose([raw, x, ...(dead ? [dead] : []), ...Object.values(params), ...toRead] as tf.Tensor[])
    setStepPath(before)
  }
}

/**
 * The full batch's loss and gradients from the caller's own shard (tensors, `local`, over `localRows` rows) and the
 * other threads' results: gradients and mean statistics weighted by rows, Σ statistics and fire counts summed, and
 * Σ‖x − x̄‖² over the whole batch (`sst`, measured by the caller on all rows, since shard means differ). Call inside
 * tf.tidy; `local`'s tensors are left to the caller.
 */
export function combineShards(local: LossAndGrads, localRows: number, remote: ShardResult[], sst: tf.Scalar, c: Pick<SaeTrainerConfig, 'dIn' | 'dSae'>): LossAndGrads {
  const n = localRows + remote.reduce((sum, r) => sum + r.rows, 0)
  const shapes = paramShapes(c.dIn, c.dSae)
  const grads: LossAndGrads['grads'] = {}
  for (const name of Object.keys(local.grads) as ParamName[]) {
    const parts = [tf.mul(local.grads[name]!, localRows / n)]
    for (const r of remote) {
      const g = r.grads[name]
      if (!g) throw new InvalidArgumentError(`A shard returned no gradient for ${name}`)
      parts.push(tf.mul(tf.tensor(g, shapes[name]), r.rows / n))
    }
    grads[name] = tf.addN(parts)
  }
  // Means over rows (loss, mse, sparsity, aux) weight by rows; sse is a sum; sst is replaced by the caller's.
  const weight = (stat: (typeof STAT_NAMES)[number], rows: number) => (stat === 'sse' ? 1 : stat === 'sst' ? 0 : rows / n)
  const remoteStats = STAT_NAMES.map((stat, i) => remote.reduce((sum, r) => sum + weight(stat, r.rows) * r.stats[i]!, 0))
  const isSst = STAT_NAMES.map((stat) => (stat === 'sst' ? 1 : 0))
  const stats = tf.addN([
    tf.mul(local.stats, tf.tensor1d(STAT_NAMES.map((stat) => weight(stat, localRows)))),
    tf.tensor1d(remoteStats),
    tf.mul(tf.tensor1d(isSst), sst),
  ]) as tf.Tensor1D
  let fireCounts = local.fireCounts
  for (const r of remote) fireCounts = tf.add(fireCounts, tf.tensor1d(r.fireCounts))
  return { grads, stats, fireCounts }
}
