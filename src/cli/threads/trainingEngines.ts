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

/** Where a step's encoder forward runs: 'auto' is onnxruntime, or tfjs (said on stderr) where onnxruntime cannot start. */
export type EncoderChoice = 'auto' | 'onnxruntime' | 'tfjs'

/** The largest d_in·d_sae for which a step with an onnxruntime encoder still splits its batch over threads. */
export const SHARD_MAX_ENCODER_WEIGHTS = 2 ** 22

export function parseEncoderChoice(value: string | undefined): EncoderChoice {
  if (value === undefined) return 'auto'
  if (value === 'onnxruntime' || value === 'tfjs') return value
  throw new InvalidArgumentError(`--encoder must be onnxruntime or tfjs, got "${value}"`)
}

export interface TrainingEngines {
  pool: WorkerShardPool | null
  encoder: EncoderEngine | null
  /** For the command's log line: "2 threads, the encoder forward on onnxruntime-node (cpu), 1 thread each". */
  description: string
  dispose(): Promise<void>
}

/**
 * The pool and encoder for `threads` threads; said on stderr under `command`'s name where the split does not apply,
 * or where 'auto' falls back to tfjs. `makeEncoder` is onnxruntime's (tests pass one that fails).
 */
export async function trainingEngines(
  threads: number,
  c: Pick<SaeTrainerConfig, 'architecture' | 'dIn' | 'dSae'>,
  choice: EncoderChoice,
  command: string,
  makeEncoder: (threads: number) => Promise<EncoderEngine> = ortEncoderEngine,
): Promise<TrainingEngines> {
  const splittable = threads > 1 && shardable(c.architecture)
  if (threads > 1 && !shardable(c.architecture)) {
    process.stderr.write(`${command}: ${c.architecture} selects its latents across the whole batch, so its steps do not split over threads\n`)
  }
  // Matryoshka's step is dense throughout and takes no plan: its encoder stays in tfjs.
  const wantsEngine = choice !== 'tfjs' && c.architecture !== 'matryoshka_batchtopk'
  const engineSplits = splittable && c.dIn * c.dSae <= SHARD_MAX_ENCODER_WEIGHTS
  let encoder: EncoderEngine | null = null
  if (wantsEngine) {
    try {
      encoder = await makeEncoder(engineSplits ? 1 : threads)
    } catch (err) {
      if (choice === 'onnxruntime') throw err
      process.stderr.write(`${command}: onnxruntime could not start (${err instanceof Error ? err.message : String(err)}), so the encoder forward runs in tfjs\n`)
    }
  }
  let pool: WorkerShardPool | null = null
  try {
    pool = (encoder ? engineSplits : splittable) ? await WorkerShardPool.create(threads - 1) : null
  } catch (err) {
    await encoder?.dispose()
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
