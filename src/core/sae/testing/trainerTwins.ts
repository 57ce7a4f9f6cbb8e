// Two trainers from the same options, one set up differently (threads, an encoder engine), stepped in turn on the same
// batches: for tests that show a way of taking a step changes nothing but float rounding.
import * as tf from '@tensorflow/tfjs'
import type { SaeCheckpoint } from '../checkpoint.ts'
import { setStepPath, type StepPath } from '../stepPath.ts'
import { SaeTrainer } from '../trainer.ts'
import type { SaeTrainerOptions } from '../trainerConfig.ts'
import { randomTensor } from './random.ts'

export interface TwinRun {
  plain: SaeCheckpoint
  other: SaeCheckpoint
  /** Each step's losses, [plain, other]. */
  losses: Array<[number, number]>
  /** Tensors alive after the steps beyond those before them (0: no leaks). */
  leaked: number
}

/** `steps` steps of [rows, dIn] batches (seeds seed, seed + 1, …) on a plain trainer and on one `setUp` configured. */
export async function stepTwins(options: SaeTrainerOptions, setUp: (t: SaeTrainer) => void, path: StepPath, steps: number, rows: number, seed: number): Promise<TwinRun> {
  const plain = SaeTrainer.create(options)
  const other = SaeTrainer.create(options)
  setUp(other)
  setStepPath(path)
  const before = tf.memory().numTensors
  const losses: Array<[number, number]> = []
  try {
    for (let step = 0; step < steps; step++) {
      const batch = randomTensor([rows, options.dIn], seed + step) as tf.Tensor2D
      const a = await plain.trainStep(batch)
      const b = await other.trainStep(batch)
      batch.dispose()
      losses.push([a.loss, b.loss])
      if (b.step !== a.step) throw new Error(`The twins disagree on the step: ${a.step} and ${b.step}`)
    }
    const leaked = tf.memory().numTensors - before
    return { plain: await plain.checkpoint(), other: await other.checkpoint(), losses, leaked }
  } finally {
    plain.dispose()
    other.dispose()
  }
}
