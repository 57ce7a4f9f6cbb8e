// Trains and scores one run of a scaling sweep: an SAE of dSae latents on `tokens` rows of a training pool, seen
// once each (no repeats, as the paper's runs), then the training objective on held-out rows no run trains on.
// Pure tfjs over an in-memory activation cache: the CLI reads the file, the sweep's logic stays here.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../../errors.ts'
import { CachedActivationSource, type ActivationCache } from '../activationCache.ts'
import { SaeTrainer } from '../trainer.ts'
import type { SaeTrainerOptions } from '../trainerConfig.ts'
import { trainingFlops, type ScalingRun } from './frontier.ts'

export interface SweepRunSpec {
  dSae: number
  steps: number
  lr: number
}

export interface SweepRunResult extends SweepRunSpec, ScalingRun {
  mse: number
  sparsity: number
  /** Fraction of variance unexplained on the held-out rows. */
  fvu: number
  l0: number
  /** Wall-clock seconds of training (not of the evaluation). */
  seconds: number
}

export interface SweepData {
  /** The last heldOutRows rows are held out; the rows before them are the training pool. */
  cache: ActivationCache
  heldOutRows: number
  /** Multiplies every batch so E‖x‖ = √d_in (the same for every run, so their losses compare). */
  inputScale: number
}

/** Settings shared by every run of a sweep. */
export type SweepBase = Omit<SaeTrainerOptions, 'dIn' | 'dSae' | 'totalSteps' | 'lr' | 'inputScale'> & { batch: number }

/** The training pool and held-out rows as two caches viewing one array (nothing copied). */
export function splitCache(cache: ActivationCache, heldOutRows: number): { train: ActivationCache; heldOut: ActivationCache } {
  if (!Number.isInteger(heldOutRows) || heldOutRows < 1 || heldOutRows >= cache.rows) {
    throw new InvalidArgumentError(`The held-out rows must be an integer in [1, ${cache.rows - 1}], got ${heldOutRows}`)
  }
  const cut = (cache.rows - heldOutRows) * cache.dIn
  return {
    train: { ...cache, rows: cache.rows - heldOutRows, data: cache.data.subarray(0, cut) },
    heldOut: { ...cache, rows: heldOutRows, data: cache.data.subarray(cut) },
  }
}

export async function runSweepPoint(spec: SweepRunSpec, data: SweepData, base: SweepBase, onStep?: (step: number) => void): Promise<SweepRunResult> {
  const { train, heldOut } = splitCache(data.cache, data.heldOutRows)
  const tokens = spec.steps * base.batch
  if (tokens > train.rows) throw new InvalidArgumentError(`${spec.steps} steps of ${base.batch} rows need ${tokens} training rows; the pool has ${train.rows}`)
  const { batch, ...options } = base
  const trainer = SaeTrainer.create({ ...options, dIn: data.cache.dIn, dSae: spec.dSae, totalSteps: spec.steps, lr: spec.lr, inputScale: data.inputScale })
  try {
    const source = new CachedActivationSource(train, { seed: options.seed ?? 0 })
    const started = performance.now()
    for (let s = 0; s < spec.steps; s++) {
      const x = source.nextBatch(batch) // [batch, dIn]
      try {
        await trainer.trainStep(x)
      } finally {
        x.dispose()
      }
      onStep?.(s + 1)
    }
    const seconds = (performance.now() - started) / 1000
    const sums = { loss: 0, mse: 0, sparsity: 0, sse: 0, sst: 0, l0: 0 }
    const evalBatch = 4096
    for (let start = 0; start < heldOut.rows; start += evalBatch) {
      const n = Math.min(evalBatch, heldOut.rows - start)
      const x = tf.tensor2d(heldOut.data.subarray(start * heldOut.dIn, (start + n) * heldOut.dIn), [n, heldOut.dIn]) // [n, dIn]
      try {
        const e = await trainer.evaluate(x)
        // loss, mse, sparsity and L0 are means over the batch: weight them by its rows; sse and sst are sums.
        sums.loss += e.loss * n
        sums.mse += e.mse * n
        sums.sparsity += e.sparsity * n
        sums.l0 += e.l0 * n
        sums.sse += e.sse
        sums.sst += e.sst
      } finally {
        x.dispose()
      }
    }
    const rows = heldOut.rows
    return {
      ...spec,
      tokens,
      compute: trainingFlops(data.cache.dIn, spec.dSae, tokens),
      loss: sums.loss / rows,
      mse: sums.mse / rows,
      sparsity: sums.sparsity / rows,
      fvu: sums.sse / sums.sst,
      l0: sums.l0 / rows,
      seconds,
    }
  } finally {
    trainer.dispose()
  }
}
