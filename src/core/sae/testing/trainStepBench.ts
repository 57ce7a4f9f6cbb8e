// Times the SAE training step (for `npm run bench`; not a test: speed is never asserted). Backend-agnostic.
import * as tf from '@tensorflow/tfjs'
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
