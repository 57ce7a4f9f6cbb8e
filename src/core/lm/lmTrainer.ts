// Trains a model's differentiable view (the tfjs engine) as a language model by autodiff through the engine's own forward pass (whose matmuls
// and embedding carry hand-written, explicit-transpose gradients, so this is fast on tfjs-wasm).
import * as tf from '@tensorflow/tfjs'
import type { DifferentiableModel } from '../model/hookedModel.ts'
import { Adam } from './adam.ts'
import { clipByGlobalNorm } from './clip.ts'
import { nextTokenCrossEntropy } from './crossEntropy.ts'
import { learningRateAt, type LrSchedule } from './schedule.ts'

export interface LmTrainOptions {
  schedule: LrSchedule
  /** Global gradient-norm clip; 1.0 as in GPT-2/nanoGPT. */
  clipNorm: number
  /** β2 = 0.95 is nanoGPT's choice for small fast runs (steadier than 0.999 when the loss falls quickly). */
  adam: { beta1: number; beta2: number; epsilon: number }
}

export interface StepResult {
  step: number
  loss: number
  gradNorm: number
  lr: number
}

export class LmTrainer {
  readonly optimizer: Adam
  private readonly params: Map<string, tf.Variable>

  constructor(
    readonly model: DifferentiableModel,
    readonly opts: LmTrainOptions,
  ) {
    model.setTrainable(true)
    this.params = model.parameters()
    this.optimizer = new Adam(this.params, opts.adam)
  }

  get step(): number {
    return this.optimizer.stepCount
  }

  /** One step on `batch` [batchSize][seqLen + 1] token ids: inputs are [:, :-1], targets [:, 1:]. */
  trainStep(batch: number[][]): StepResult {
    const step = this.step
    const lr = learningRateAt(step, this.opts.schedule)
    const inputs = batch.map((row) => row.slice(0, -1))
    const targets = tf.tensor2d(batch.map((row) => row.slice(1)), undefined, 'int32') // [batch, seqLen]
    const vars = [...this.params.values()]
    const names = [...this.params.keys()]
    const { value, grads } = tf.variableGrads(() => nextTokenCrossEntropy(this.model.forward(inputs), targets), vars)
    targets.dispose()
    const loss = value.dataSync()[0] ?? NaN
    value.dispose()
    // variableGrads keys by variable name; re-key by parameter name for the optimizer.
    const byParam: tf.NamedTensorMap = {}
    vars.forEach((v, i) => {
      const g = grads[v.name]
      if (g) byParam[names[i] as string] = g
    })
    if (!Number.isFinite(loss)) {
      tf.dispose(Object.values(grads))
      throw new Error(`Training diverged at step ${step}: loss is ${loss}`)
    }
    const { grads: clipped, norm } = clipByGlobalNorm(byParam, this.opts.clipNorm)
    tf.dispose(Object.values(grads))
    this.optimizer.apply(clipped, lr)
    tf.dispose(Object.values(clipped))
    return { step: step + 1, loss, gradNorm: norm, lr }
  }

  dispose(): void {
    this.optimizer.dispose()
  }
}
