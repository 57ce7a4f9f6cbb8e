// Times the SAE training step (for `npm run bench`; not a test: speed is never asserted). Backend-agnostic.
import * as tf from '@tensorflow/tfjs'
import type { EncoderEngine } from '../encoderEngine.ts'
import type { GradientShardPool } from '../shards.ts'
import { setStepPath } from '../stepPath.ts'
import { SaeTrainer } from '../trainer.ts'
import type { TrainArchitecture } from '../types.ts'
import { randomTensor } from './random.ts'

export interface TrainStepTiming {
  architecture: TrainArchitecture
  dIn: number
  dSae: number
  batch: number
  /** Median over the timed steps. */
  msPerStep: number
  tokensPerSecond: number
}

export async function timeTrainStep(architecture: TrainArchitecture, dIn: number, dSae: number, batch: number, steps = 6, warmup = 2): Promise<TrainStepTiming> {
  // checkpointEvery 0 and a long log interval: time the step alone.
  const trainer = SaeTrainer.create({ architecture, dIn, dSae, totalSteps: 1_000_000, logEvery: 1_000_000, checkpointEvery: 0 })
  const x = randomTensor([batch, dIn], 1) as tf.Tensor2D
  try {
    for (let i = 0; i < warmup; i++) await trainer.trainStep(x)
    const samples: number[] = []
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now()
      await trainer.trainStep(x) // reads its stats back, so the step has finished on every backend
      samples.push(performance.now() - t0)
    }
    samples.sort((a, b) => a - b)
    const msPerStep = samples[Math.floor(samples.length / 2)]!
    return { architecture, dIn, dSae, batch, msPerStep, tokensPerSecond: (batch * 1000) / msPerStep }
  } finally {
    x.dispose()
    trainer.dispose()
  }
}

/** Φ⁻¹(q) for the standard normal, by bisection on an erfc approximation (|error| < 1e-6, plenty for a bias). */
function normalQuantile(q: number): number {
  const upperTail = (z: number) => {
    const t = 1 / (1 + 0.3275911 * (z / Math.SQRT2))
    const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return 0.5 * poly * Math.exp(-(z * z) / 2) // Abramowitz–Stegun 7.1.26, z ≥ 0
  }
  let lo = 0
  let hi = 10
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2
    if (upperTail(mid) > 1 - q) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/**
 * The encoder bias that makes a fresh standard SAE fire `l0` latents per input on average on the bench's N(0, I)
 * activations: each pre-activation is N(b, decoderInitNorm²) at initialisation (W_enc = W_decᵀ, columns of that norm).
 */
export function biasForL0(l0: number, dSae: number, decoderInitNorm = 0.1): number {
  return -decoderInitNorm * normalQuantile(1 - l0 / dSae)
}

export interface PathTiming {
  /** Median ms per step of each path, from steps taken in turn on two trainers with identical state. */
  sparseMs: number
  denseMs: number
  /** The sparse step with the batch split over the pool's threads and this one; NaN without a pool. */
  threadsMs: number
  /** The sparse step with `engines` (an encoder forward outside tfjs, and a pool where given); NaN without. */
  enginesMs: number
  /** Its time in each counted round, in order (empty without engines). */
  enginesRounds: number[]
  /** Mean 1-minute load average over the timed steps (Node's os.loadavg, 0 where the platform has none). */
  loadAverage: number
}

/**
 * Times the sparse and the dense step (and, given a pool, the sparse step split over threads; given engines, the
 * sparse step with them) in turn (sparse, dense, …, sparse, …) so that a shared machine's load falls on all alike. `bEnc` sets the initial encoder bias (a sparse standard SAE, as late in training).
 */
export async function timeSparseVsDense(
  options: {
    architecture: TrainArchitecture
    dIn: number
    dSae: number
    batch: number
    k?: number
    bEnc?: number
    pool?: GradientShardPool
    engines?: { pool: GradientShardPool | null; encoder: EncoderEngine }
    /** Leaves the dense trainer out (denseMs NaN): at (768, 16384) three trainers and a step overflow tfjs-wasm's heap. */
    skipDense?: boolean
  },
  rounds: number,
  loadAverage: () => number,
  /** Run after every counted round (a peer engine measured in turn with these, round by round). */
  afterRound: () => Promise<void> = async () => {},
): Promise<PathTiming> {
  const { architecture, dIn, dSae, batch } = options
  const base = SaeTrainer.create({ architecture, dIn, dSae, totalSteps: 1_000_000, logEvery: 1_000_000, checkpointEvery: 0, ...(options.k ? { k: options.k } : {}) })
  const ckpt = await base.checkpoint()
  base.dispose()
  if (options.bEnc !== undefined) ckpt.tensors.b_enc!.data.fill(options.bEnc)
  // The threaded trainer only with a pool: at (768, 16384) each trainer holds ~300 MB of parameters and Adam state.
  const threads = options.pool ? SaeTrainer.fromCheckpoint(ckpt) : null
  threads?.useThreads(options.pool!)
  const engines = options.engines ? SaeTrainer.fromCheckpoint(ckpt) : null
  engines?.useThreads(options.engines!.pool)
  engines?.useEncoder(options.engines!.encoder)
  const trainers = { sparse: SaeTrainer.fromCheckpoint(ckpt), dense: options.skipDense ? null : SaeTrainer.fromCheckpoint(ckpt), threads, engines }
  const paths = (['sparse', 'dense', 'threads', 'engines'] as const).filter((path) => trainers[path] !== null)
  const x = randomTensor([batch, dIn], 1) as tf.Tensor2D
  const samples: Record<(typeof paths)[number], number[]> = { sparse: [], dense: [], threads: [], engines: [] }
  const loads: number[] = []
  try {
    for (let round = 0; round <= rounds; round++) {
      for (const path of paths) {
        setStepPath(path === 'dense' ? 'dense' : 'sparse')
        const t0 = performance.now()
        await trainers[path]!.trainStep(x)
        if (round > 0) samples[path].push(performance.now() - t0) // round 0 warms up
      }
      if (round > 0) loads.push(loadAverage())
      if (round > 0) await afterRound()
    }
  } finally {
    setStepPath('auto')
    x.dispose()
    trainers.sparse.dispose()
    trainers.dense?.dispose()
    trainers.threads?.dispose()
    trainers.engines?.dispose()
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!
  return {
    sparseMs: median(samples.sparse),
    denseMs: options.skipDense ? NaN : median(samples.dense),
    threadsMs: options.pool ? median(samples.threads) : NaN,
    enginesMs: options.engines ? median(samples.engines) : NaN,
    enginesRounds: samples.engines,
    loadAverage: loads.reduce((a, b) => a + b, 0) / loads.length,
  }
}
