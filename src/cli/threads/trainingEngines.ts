// What a Node training command steps its SAE with: the encoder forward on onnxruntime-node (encoderEngine.ts) and,
// where it pays, the batch split over worker threads (shards.ts). Measured on this 2-core machine (2026-12-07, topk
// k 32, batch 1,024, medians of three steps): with the encoder on onnxruntime, two row shards each with a one-thread
// encoder beat one shard with a two-thread encoder at d_in·d_sae = 2²⁰ (256 × 4,096: topk 140 against 152–171 ms,
// standard 175–200 against 229–293 ms), tie at 2¹⁹ and near 2²² (128 × 4,096, 768 × 4,096, 512 × 8,192), and lose at
// 768 × 16,384 (1,181–1,682 against 979–1,193 ms), where posting the parameters and gradients between threads costs
// more than the split saves.
import { InvalidArgumentError } from '../../core/errors.ts'
import { ortEncoderEngine, type EncoderEngine } from '../../core/sae/encoderEngine.ts'
import { shardable } from '../../core/sae/shards.ts'
import type { SaeTrainerConfig } from '../../core/sae/trainerConfig.ts'
import { WorkerShardPool } from './workerShardPool.ts'

/** Where a step's encoder forward runs. */
export type EncoderChoice = 'onnxruntime' | 'tfjs'

/** The largest d_in·d_sae for which a step with an onnxruntime encoder still splits its batch over threads. */
export const SHARD_MAX_ENCODER_WEIGHTS = 2 ** 22

export function parseEncoderChoice(value: string | undefined): EncoderChoice {
  if (value === undefined || value === 'onnxruntime') return 'onnxruntime'
  if (value === 'tfjs') return 'tfjs'
  throw new InvalidArgumentError(`--encoder must be onnxruntime or tfjs, got "${value}"`)
}

export interface TrainingEngines {
  pool: WorkerShardPool | null
  encoder: EncoderEngine | null
  /** For the command's log line: "2 threads, the encoder forward on onnxruntime-node (cpu), 1 thread each". */
  description: string
  dispose(): Promise<void>
}

/** The pool and encoder for `threads` threads; said on stderr under `command`'s name where the split does not apply. */
export async function trainingEngines(threads: number, c: Pick<SaeTrainerConfig, 'architecture' | 'dIn' | 'dSae'>, choice: EncoderChoice, command: string): Promise<TrainingEngines> {
  const splits = threads > 1 && shardable(c.architecture)
  if (threads > 1 && !shardable(c.architecture)) {
    process.stderr.write(`${command}: ${c.architecture} selects its latents across the whole batch, so its steps do not split over threads\n`)
  }
  const pool = splits && (choice === 'tfjs' || c.dIn * c.dSae <= SHARD_MAX_ENCODER_WEIGHTS) ? await WorkerShardPool.create(threads - 1) : null
  let encoder: EncoderEngine | null = null
  try {
    encoder = choice === 'onnxruntime' && c.architecture !== 'matryoshka_batchtopk' ? await ortEncoderEngine(pool ? 1 : threads) : null
  } catch (err) {
    await pool?.dispose()
    throw err
  }
  const steps = pool ? `${pool.size + 1} threads` : '1 thread'
  return {
    pool,
    encoder,
    description: encoder ? `${steps}, the encoder forward on ${encoder.label}${pool ? ' each' : ''}` : steps,
    async dispose() {
      await Promise.all([pool?.dispose(), encoder?.dispose()])
    },
  }
}
