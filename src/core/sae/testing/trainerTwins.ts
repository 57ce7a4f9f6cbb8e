// Two trainers from the same options, one set up differently (threads, an encoder engine), stepped in turn on the same
// batches: for tests that show a way of taking a step changes nothing but float rounding.
import * as tf from '@tensorflow/tfjs'
import type { SaeCheckpoint } from '../checkpoint.ts'
import { setStepPath, type StepPath } from '../stepPath.ts'
import { SaeTrainer } from '../trainer.ts'
import type { SaeTrainerOptions } from '../trainerConfig.ts'
import { worstRelativeDiff } from './checkpointDiff.ts'
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

export interface FailedStep {
  /** What the failing step rejected with (null: it did not fail). */
  error: unknown
  /** Tensors left behind by the failed step. */
  leaked: number
  stepAfterFailure: number
  /** The largest relative change the failed step made to the trainer's checkpoint (0: none). */
  changed: number
  /** The step count after one more step once `mend` ran. */
  stepAfterMend: number
}

/** One step after `breakIt` set the trainer up to fail, then one after `mend`: what the failure left behind. */
export async function failThenMend(options: SaeTrainerOptions, rows: number, breakIt: (t: SaeTrainer) => void, mend: (t: SaeTrainer) => void): Promise<FailedStep> {
  const trainer = SaeTrainer.create(options)
  const batch = randomTensor([rows, options.dIn], 7) as tf.Tensor2D
  try {
    const before = await trainer.checkpoint()
    const tensors = tf.memory().numTensors
    breakIt(trainer)
    const error = await trainer.trainStep(batch).then(
      () => null,
      (err: unknown) => err,
    )
    const leaked = tf.memory().numTensors - tensors
    const stepAfterFailure = trainer.step
    const changed = worstRelativeDiff(before, await trainer.checkpoint()).value
    mend(trainer)
    await trainer.trainStep(batch)
    return { error, leaked, stepAfterFailure, changed, stepAfterMend: trainer.step }
  } finally {
    batch.dispose()
    trainer.dispose()
  }
}
