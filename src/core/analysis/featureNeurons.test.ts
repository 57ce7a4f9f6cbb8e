// Features vs neurons: the streaming correlation against a plain two-pass Pearson that shares no code with it,
// a planted feature that is a neuron, batching that must not matter, and the sparsity-matched baseline.
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../generate/rng.ts'
import { hookName, type HookName } from '../model/hookNames.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { Sae } from '../sae/sae.ts'
import { randomSae, tinyModel } from '../steering/testing/fixtures.ts'
import { FeatureNeuronCorrelation, neuronAt, summarizeBest, type NeuronLayout } from './featureNeurons.ts'
import { neuronActivations, neuronLayersBefore } from './neuronActivations.ts'
import { correlateEncoded, sparsityMatchedBaseline } from './sparsityBaseline.ts'

/** Two-pass Pearson on plain arrays: the textbook formula, no shared sums. */
function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length
  const ma = a.reduce((s, v) => s + v, 0) / n
  const mb = b.reduce((s, v) => s + v, 0) / n
  let sab = 0
  let saa = 0
  let sbb = 0
  for (let t = 0; t < n; t++) {
    sab += (a[t]! - ma) * (b[t]! - mb)
    saa += (a[t]! - ma) ** 2
    sbb += (b[t]! - mb) ** 2
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb)
}

const HOOK: HookName = hookName.residPost(1)
let model: HookedModel
let sae: Sae
let windows: number[][]

beforeAll(() => {
  model = tinyModel()
  sae = randomSae(HOOK)
  const rng = createRng(11)
  windows = Array.from({ length: 5 }, (_, w) => Array.from({ length: 8 + w }, () => rng.nextUint32() % 40)) // ragged on purpose
})
afterAll(() => {
  sae.dispose()
  model.dispose()
})

describe('neuronLayersBefore', () => {
  it('takes every MLP that has run by the hook', () => {
    expect(neuronLayersBefore(hookName.residPost(2), 4)).toEqual([0, 1, 2])
    expect(neuronLayersBefore(hookName.mlpOut(2), 4)).toEqual([0, 1, 2])
    expect(neuronLayersBefore(hookName.residMid(2), 4)).toEqual([0, 1])
    expect(neuronLayersBefore(hookName.residPre(2), 4)).toEqual([0, 1])
    expect(neuronLayersBefore(hookName.residPre(0), 4)).toEqual([])
    expect(neuronLayersBefore(hookName.embed(), 4)).toEqual([])
  })
})

describe('feature–neuron correlation on a tiny model', () => {
  it('equals a plain two-pass Pearson for every feature and neuron, and picks the same best neuron', async () => {
    const acts = await neuronActivations(model, HOOK, windows, { skipFirst: false, windowsPerBatch: 2 })
    const { dIn, dSae } = sae.config
    const acc = await correlateEncoded(acts.batches, acts.layout, dIn, dSae, (x) => sae.encode(x))
    // Reference: activations read one window at a time through runWithCache, features by encode on each.
    const feats: number[][] = [] // [tokens][dSae]
    const neurons: number[][] = [] // [tokens][nNeurons]
    const mlp = [hookName.mlpPost(0), hookName.mlpPost(1)]
    for (const w of windows) {
      const { logits, cache } = await model.runWithCache([w], [HOOK, ...mlp])
      const f = sae.encode(cache.get(HOOK)!)
      const fv = ((await f.array()) as number[][][])[0]!
      const nv = await Promise.all(mlp.map(async (h) => ((await cache.get(h)!.array()) as number[][][])[0]!))
      fv.forEach((row, p) => {
        feats.push(row)
        neurons.push(nv.flatMap((layer) => layer[p]!))
      })
      tf.dispose([logits, f, ...cache.values()])
    }
    expect(acc.tokens).toBe(feats.length)
    expect(acts.layout).toEqual({ layers: [0, 1], widths: [64, 64] })
    const best = acc.best()
    let fired = 0
    for (let i = 0; i < dSae; i++) {
      const col = feats.map((r) => r[i]!)
      const mine = acc.correlations(i)
      const ref = neurons[0]!.map((_, j) => pearson(col, neurons.map((r) => r[j]!)))
      if (col.every((v) => v === 0)) {
        expect(best[i]).toBeNull()
        continue
      }
      fired += 1
      ref.forEach((r, j) => expect(Math.abs(mine[j]! - r)).toBeLessThan(1e-4))
      const argmax = ref.reduce((bj, r, j) => (r > ref[bj]! ? j : bj), 0)
      expect(best[i]).toEqual({ ...neuronAt(acts.layout, argmax), r: expect.closeTo(ref[argmax]!, 4) })
    }
    expect(fired).toBeGreaterThan(dSae / 2) // the random SAE fires often: the comparison is not vacuous
  })

  it('leaks no tensors', async () => {
    const before = tf.memory().numTensors
    const acts = await neuronActivations(model, HOOK, windows, { skipFirst: true, windowsPerBatch: 3 })
    const acc = await correlateEncoded(acts.batches, acts.layout, sae.config.dIn, sae.config.dSae, (x) => sae.encode(x))
    await sparsityMatchedBaseline(acts.batches, acts.layout, sae.config.dIn, acc.fireCounts(), 5)
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('FeatureNeuronCorrelation on planted activations', () => {
  const layout: NeuronLayout = { layers: [0, 2], widths: [5, 7] }
  const rows = 400
  const rng = createRng(3)
  const neurons = new Float32Array(rows * 12).map(() => Math.max(0, rng.nextNormal() - 0.5)) // sparse, ReLU-like
  for (let t = 0; t < rows; t++) neurons[t * 12 + 3] = 0.25 // neuron 3 of layer 0 is constant: never a best neuron
  // Feature 0 = ReLU(neuron 9) exactly (layer 2, index 4); feature 1 never fires; feature 2 = −neuron 9 + noise ≥ 0.
  const features = new Float32Array(rows * 3)
  for (let t = 0; t < rows; t++) {
    features[t * 3] = Math.max(0, neurons[t * 12 + 9]!)
    features[t * 3 + 2] = Math.max(0, 2 - neurons[t * 12 + 9]! + 0.1 * rng.nextNormal())
  }

  it('finds r = 1 for a feature that is a neuron, null for one that never fires, and skips constant neurons', () => {
    const acc = new FeatureNeuronCorrelation(3, layout)
    acc.add(features, neurons, rows)
    const best = acc.best()
    expect(best[0]).toEqual({ layer: 2, index: 4, r: expect.closeTo(1, 6) })
    expect(best[1]).toBeNull()
    // Signed r: the anti-correlated neuron is not this feature's best, however large |r| is.
    expect(best[2]!.index === 4 && best[2]!.layer === 2).toBe(false)
    expect(acc.correlations(2)[9]).toBeLessThan(-0.9)
    expect(Number.isNaN(acc.correlations(0)[3]!)).toBe(true)
  })

  it('gives the same answer streamed in uneven batches as in one', () => {
    const one = new FeatureNeuronCorrelation(3, layout)
    one.add(features, neurons, rows)
    const streamed = new FeatureNeuronCorrelation(3, layout)
    for (const [a, b] of [[0, 7], [7, 150], [150, 151], [151, rows]] as const) streamed.add(features.subarray(a * 3, b * 3), neurons.subarray(a * 12, b * 12), b - a)
    expect(streamed.tokens).toBe(rows)
    for (let i = 0; i < 3; i++) {
      const a = one.correlations(i)
      const b = streamed.correlations(i)
      a.forEach((v, j) => (Number.isNaN(v) ? expect(b[j]).toBeNaN() : expect(Math.abs(v - b[j]!)).toBeLessThan(1e-12)))
    }
    expect(streamed.best()).toEqual(one.best())
  })

  it('summarises the best r as a histogram in tenths and the share ≤ 0.3', () => {
    const s = summarizeBest([{ layer: 0, index: 0, r: 0.05 }, { layer: 0, index: 1, r: 0.3 }, null, { layer: 1, index: 0, r: 1 }, { layer: 1, index: 0, r: -0.15 }])
    expect(s.features).toBe(5)
    expect(s.evaluated).toBe(4)
    expect(s.fractionAtMost03).toBe(0.75)
    expect(s.counts[10]).toBe(1) // [0.0, 0.1)
    expect(s.counts[13]).toBe(1) // [0.3, 0.4)
    expect(s.counts[19]).toBe(1) // [0.9, 1.0]
    expect(s.counts[8]).toBe(1) // [−0.2, −0.1)
    expect(s.counts.reduce((a, b) => a + b, 0)).toBe(4)
    expect(s.medianR).toBeCloseTo(0.175, 10)
  })
})

describe('sparsityMatchedBaseline', () => {
  it('fires each random direction on exactly as many tokens as its feature, and is reproducible from its seed', async () => {
    const acts = await neuronActivations(model, HOOK, windows, { skipFirst: false })
    const { dIn, dSae } = sae.config
    const real = await correlateEncoded(acts.batches, acts.layout, dIn, dSae, (x) => sae.encode(x))
    // Vary the counts, and include a never-firing and an always-firing feature.
    const fires = real.fireCounts().map((f, i) => (i === 0 ? 0 : i === 1 ? real.tokens : Math.max(1, Math.round(f / (1 + (i % 4))))))
    const base = await sparsityMatchedBaseline(acts.batches, acts.layout, dIn, fires, 9)
    expect(Array.from(base.fireCounts())).toEqual(Array.from(fires.map((f, i) => (i === 1 ? real.tokens : f))))
    expect(base.best()[0]).toBeNull()
    const again = await sparsityMatchedBaseline(acts.batches, acts.layout, dIn, fires, 9)
    expect(again.best()).toEqual(base.best())
    const other = await sparsityMatchedBaseline(acts.batches, acts.layout, dIn, fires, 10)
    expect(other.best()).not.toEqual(base.best())
  })
})
