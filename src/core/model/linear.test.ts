import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { createRng } from '../generate/rng.ts'
import { makeTinyGpt2 } from '../testing/tinyModel.ts'
import { HookedGpt2 } from './gpt2.ts'
import { bmm, embed, linear, unembed } from './linear.ts'

const rng = createRng(3)
const randn = (shape: number[]): tf.Tensor => {
  const size = shape.reduce((a, b) => a * b, 1)
  return tf.tensor(Float32Array.from({ length: size }, () => rng.nextNormal()), shape)
}
const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number)

beforeAll(async () => {
  await selectBackend(['wasm'])
})

describe('custom-gradient ops equal tfjs autodiff of the plain ops', () => {
  it('linear (with and without bias) on a 3-D input', () => {
    tf.tidy(() => {
      const x = randn([2, 5, 6])
      const w = randn([6, 4]) as tf.Tensor2D
      const b = randn([4]) as tf.Tensor1D
      const dy = randn([2, 5, 4]) // a random upstream gradient, via sum(f · dy)
      const ours = tf.grads((x, w, b) => tf.sum(tf.mul(linear(x, w as tf.Tensor2D, b as tf.Tensor1D), dy)))([x, w, b])
      const plain = tf.grads((x, w, b) => tf.sum(tf.mul(tf.add(tf.matMul(tf.reshape(x, [10, 6]), w as tf.Tensor2D).reshape([2, 5, 4]), b), dy)))([x, w, b])
      ours.forEach((g, i) => expect(maxDiff(g, plain[i]!)).toBeLessThan(1e-5))
      expect(maxDiff(linear(x, w, b), tf.add(tf.matMul(tf.reshape(x, [10, 6]), w).reshape([2, 5, 4]), b))).toBeLessThan(1e-5)
      const ours2 = tf.grads((x, w) => tf.sum(tf.mul(linear(x, w as tf.Tensor2D), dy)))([x, w])
      const plain2 = tf.grads((x, w) => tf.sum(tf.mul(tf.matMul(tf.reshape(x, [10, 6]), w as tf.Tensor2D).reshape([2, 5, 4]), dy)))([x, w])
      ours2.forEach((g, i) => expect(maxDiff(g, plain2[i]!)).toBeLessThan(1e-5))
    })
  })

  // Small shapes take tf.matMul; large ones (≥ 2^20 multiply-adds per slice) the per-slice 2-D path on wasm.
  for (const [m, k, n] of [[5, 4, 6], [128, 64, 130]] as const) {
    it(`bmm on 4-D inputs, ${m}×${k} @ ${k}×${n}`, () => {
      tf.tidy(() => {
        const a = randn([2, 3, m, k])
        const b = randn([2, 3, k, n])
        const dy = randn([2, 3, m, n])
        expect(maxDiff(bmm(a, b), tf.matMul(a, b))).toBeLessThan(1e-4)
        const ours = tf.grads((a, b) => tf.sum(tf.mul(bmm(a, b), dy)))([a, b])
        const plain = tf.grads((a, b) => tf.sum(tf.mul(tf.matMul(a, b), dy)))([a, b])
        ours.forEach((g, i) => expect(maxDiff(g, plain[i]!)).toBeLessThan(1e-4))
      })
    })
  }

  it('unembed with a cached transpose', () => {
    tf.tidy(() => {
      const x = randn([2, 3, 4])
      const w = randn([7, 4]) as tf.Tensor2D
      const wT = tf.transpose(w) as tf.Tensor2D
      const dy = randn([2, 3, 7])
      const ours = tf.grads((x, w) => tf.sum(tf.mul(unembed(x, w as tf.Tensor2D, wT), dy)))([x, w])
      const plain = tf.grads((x, w) => tf.sum(tf.mul(tf.matMul(tf.reshape(x, [6, 4]), tf.transpose(w as tf.Tensor2D)).reshape([2, 3, 7]), dy)))([x, w])
      ours.forEach((g, i) => expect(maxDiff(g, plain[i]!)).toBeLessThan(1e-5))
    })
  })

  it('embed: gather forward, scatter-add gradient (repeated ids accumulate)', () => {
    tf.tidy(() => {
      const table = randn([5, 3]) as tf.Tensor2D
      const ids = tf.tensor2d([[1, 1, 4], [0, 1, 4]], [2, 3], 'int32')
      const dy = randn([2, 3, 3])
      const ours = tf.grad((t) => tf.sum(tf.mul(embed(t as tf.Tensor2D, ids), dy)))(table)
      const oneHot = tf.oneHot(tf.reshape(ids, [-1]), 5) // [6, 5]: gather as a matmul, which tfjs-wasm can differentiate
      const plain = tf.grad((t) => tf.sum(tf.mul(tf.matMul(oneHot, t as tf.Tensor2D).reshape([2, 3, 3]), dy)))(table)
      expect(maxDiff(ours, plain)).toBeLessThan(1e-5)
      expect(maxDiff(embed(table, ids), tf.gather(table, ids))).toBe(0)
    })
  })
})

describe('training through the model', () => {
  it('gives gradients that match finite differences and lower the loss under SGD', () => {
    const { config, tensors } = makeTinyGpt2({ seed: 5, nLayers: 1, dModel: 8, nHeads: 2, vocab: 13, nCtx: 8 })
    const model = HookedGpt2.fromTensors(config, tensors)
    model.setTrainable(true)
    const params = model.parameters()
    const ids = [[1, 5, 2, 9, 12, 0]]
    const targets = tf.oneHot(tf.tensor1d([5, 2, 9, 12, 0, 3], 'int32'), config.vocabSize).reshape([1, 6, config.vocabSize])
    const loss = (): tf.Scalar => tf.losses.softmaxCrossEntropy(targets, model.forward(ids)) as tf.Scalar
    const { value, grads } = tf.variableGrads(loss, [...params.values()])
    const before = tf.memory().numTensors

    // Central differences in float32 are only good to ~1e-3, so compare at that level on a few entries.
    for (const [name, index] of [['wte.weight', 5 * 8 + 3], ['wpe.weight', 2 * 8 + 1], ['h.0.attn.c_attn.weight', 8 * 24 - 1], ['ln_f.bias', 4]] as const) {
      const v = params.get(name)!
      const g = grads[v.name]!.dataSync()[index] as number
      const original = v.dataSync().slice()
      const at = (delta: number): number => {
        const data = original.slice()
        data[index] = (data[index] as number) + delta
        tf.tidy(() => v.assign(tf.tensor(data, v.shape)))
        return tf.tidy(() => loss().dataSync()[0] as number)
      }
      const eps = 1e-2
      const numeric = (at(eps) - at(-eps)) / (2 * eps)
      tf.tidy(() => v.assign(tf.tensor(original, v.shape)))
      expect(Math.abs(numeric - g), name).toBeLessThan(2e-3 + 0.02 * Math.abs(g))
    }
    expect(tf.memory().numTensors).toBe(before)

    const opt = tf.train.sgd(0.5)
    const start = value.dataSync()[0] as number
    for (let i = 0; i < 20; i++) opt.minimize(loss, false, [...params.values()])
    const end = tf.tidy(() => loss().dataSync()[0] as number)
    expect(end).toBeLessThan(start * 0.7)
    opt.dispose()
    value.dispose()
    for (const g of Object.values(grads)) g.dispose()
    targets.dispose()
    model.dispose()
  })
})
