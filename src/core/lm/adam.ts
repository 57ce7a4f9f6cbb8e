// Adam over a model's named variables (rather than tf.train.adam) so its moments are plain named tensors:
// checkpoints save and restore them exactly, and the learning rate can change every step. The update itself
// is the SAE trainer's (../optim/adam.ts), so both trainers compute Adam one way.
import * as tf from '@tensorflow/tfjs'
import type { TensorEntry } from '../formats/safetensors.ts'
import { adamUpdate, type AdamHyper } from '../optim/adam.ts'

export type AdamOptions = AdamHyper

export class Adam {
  private readonly m = new Map<string, tf.Variable>()
  private readonly v = new Map<string, tf.Variable>()
  private t = 0

  constructor(
    private readonly params: Map<string, tf.Variable>,
    private readonly opts: AdamOptions,
  ) {
    // Unnamed variables: tfjs names must be unique per process, and two trainers may coexist (resume tests).
    const zeroVariable = (p: tf.Variable): tf.Variable => {
      const zeros = tf.zerosLike(p)
      const v = tf.variable(zeros, false)
      zeros.dispose()
      return v
    }
    for (const [name, p] of params) {
      this.m.set(name, zeroVariable(p))
      this.v.set(name, zeroVariable(p))
    }
  }

  get stepCount(): number {
    return this.t
  }

  /** One update with bias correction; `grads` keyed like the parameters. */
  apply(grads: tf.NamedTensorMap, lr: number): void {
    this.t++
    tf.tidy(() => {
      const one = tf.scalar(1)
      for (const [name, p] of this.params) {
        const g = grads[name]
        if (!g) continue
        const m = this.m.get(name) as tf.Variable
        const v = this.v.get(name) as tf.Variable
        const next = adamUpdate(p, g, m, v, one, lr, this.t, this.opts)
        m.assign(next.m)
        v.assign(next.v)
        p.assign(next.param)
      }
    })
  }

  /** Moments as named float32 entries plus the step count, for a checkpoint. */
  async state(): Promise<{ tensors: Map<string, TensorEntry>; step: number }> {
    const tensors = new Map<string, TensorEntry>()
    for (const [prefix, table] of [['m', this.m], ['v', this.v]] as const) {
      for (const [name, t] of table) tensors.set(`${prefix}.${name}`, { dtype: 'F32', shape: [...t.shape], data: (await t.data()) as Float32Array })
    }
    return { tensors, step: this.t }
  }

  restore(tensors: Map<string, TensorEntry>, step: number): void {
    for (const [prefix, table] of [['m', this.m], ['v', this.v]] as const) {
      for (const [name, t] of table) {
        const entry = tensors.get(`${prefix}.${name}`)
        if (!entry || entry.data.length !== t.size) throw new Error(`Optimizer checkpoint lacks or mis-sizes ${prefix}.${name}`)
        t.assign(tf.tensor(entry.data, t.shape))
      }
    }
    this.t = step
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose()
  }
}
