// Contrastive search on a tiny GPT-2: the means, firing fractions and attributions equal a per-prompt reference
// (sae.encode on each prompt's own activations, in plain JS; attribute() for the attributions) despite padding,
// batching and BOS; a feature planted to fire on one token only ranks first when that token is in the "with" set and
// last when the sets are swapped (the negative control); no tensors leak.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { InvalidArgumentError } from '../errors.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { hookName, type HookName } from '../model/hookNames.ts'
import { Sae } from '../sae/sae.ts'
import { randomArray } from '../sae/testing/random.ts'
import { defaultSaeConfig, type NormalizeActivations } from '../sae/types.ts'
import { D_MODEL, D_SAE, randomSae, tinyModel } from '../steering/testing/fixtures.ts'
import { attribute } from './attribute.ts'
import { contrast } from './contrast.ts'
import type { AttributionTarget } from './target.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const BOS = 0
const WITH = [
  [BOS, 3, 17, 5, 29, 11, 8, 21],
  [BOS, 9, 9, 4],
  [BOS, 12, 30, 31, 2, 6],
  [BOS, 7, 9, 14, 22, 9, 1],
  [BOS, 33, 9, 18, 25, 10, 15, 16],
]
const WITHOUT = [
  [BOS, 3, 17, 5, 29, 11, 8, 22],
  [BOS, 13, 19, 23],
  [BOS, 26, 27, 28, 35],
  [BOS, 36, 37, 38, 39, 34, 32, 24],
]

/** Per-feature mean, firing fraction over non-BOS tokens, from each prompt's own forward (no padding, no batching). */
async function reference(model: HookedModel, sae: Sae, hook: HookName, prompts: number[][]): Promise<{ mean: number[]; firing: number[] }> {
  const sum = new Array<number>(D_SAE).fill(0)
  const fired = new Array<number>(D_SAE).fill(0)
  let tokens = 0
  for (const ids of prompts) {
    const act = (await model.collectActivations([ids], [hook])).get(hook)!
    const f = sae.encode(act)
    const rows = ((await f.array()) as number[][][])[0]!
    tf.dispose([act, f])
    rows.slice(1).forEach((row) => {
      tokens++
      row.forEach((v, i) => {
        sum[i] = sum[i]! + v
        if (v !== 0) fired[i] = fired[i]! + 1
      })
    })
  }
  return { mean: sum.map((s) => s / tokens), firing: fired.map((c) => c / tokens) }
}

/** Mean over prompts of Σ_{positions ≥ 1} attribution, from attribute() one prompt at a time. */
async function referenceAttribution(model: HookedModel, sae: Sae, prompts: number[][], target: AttributionTarget): Promise<number[]> {
  const total = new Array<number>(D_SAE).fill(0)
  for (const ids of prompts) {
    const r = await attribute(model, sae, undefined, ids, { target, ablation: false })
    for (const e of r.features) if (e.position > 0) total[e.feature] = total[e.feature]! + e.attribution!
  }
  return total.map((v) => v / prompts.length)
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0)

describe('contrast', () => {
  it.each<NormalizeActivations>(['none', 'layer_norm'])('means, firing and attributions equal a per-prompt reference (normalisation %s)', async (normalizeActivations) => {
    const model = tinyModel(BOS)
    const hook = hookName.residPost(0)
    const sae = randomSae(hook, { patch: { normalizeActivations } })
    const target: AttributionTarget = { kind: 'logit', token: 9 }
    await contrast(model, sae, undefined, WITH, WITHOUT, { target, batchSize: 2 }) // warm caches before counting
    const before = tf.memory().numTensors
    const r = await contrast(model, sae, undefined, WITH, WITHOUT, { target, batchSize: 2 })
    expect(tf.memory().numTensors).toBe(before)
    expect(r.with.tokens).toBe(WITH.reduce((a, p) => a + p.length - 1, 0))
    expect(r.without.prompts).toBe(WITHOUT.length)
    const a = await reference(model, sae, hook, WITH)
    const b = await reference(model, sae, hook, WITHOUT)
    expect(maxAbsDiff(r.with.mean, a.mean)).toBeLessThan(1e-5)
    expect(maxAbsDiff(r.without.mean, b.mean)).toBeLessThan(1e-5)
    expect(maxAbsDiff(r.with.firing, a.firing)).toBeLessThan(1e-6)
    expect(maxAbsDiff(r.without.firing, b.firing)).toBeLessThan(1e-6)
    expect(Math.max(...a.mean.map((v, i) => Math.abs(v - b.mean[i]!)))).toBeGreaterThan(0.05) // the sets do differ
    const diff = a.mean.map((v, i) => v - b.mean[i]!)
    expect(r.byActivation[0]).toBe(diff.indexOf(Math.max(...diff)))
    expect(r.byActivation.map((i) => diff[i]!)).toEqual([...diff].sort((x, y) => y - x))

    const aw = await referenceAttribution(model, sae, WITH, target)
    const ao = await referenceAttribution(model, sae, WITHOUT, target)
    expect(Math.max(...aw.map(Math.abs))).toBeGreaterThan(0.05) // attributions are not all ~0
    expect(maxAbsDiff(r.with.attribution!, aw)).toBeLessThan(2e-4)
    expect(maxAbsDiff(r.without.attribution!, ao)).toBeLessThan(2e-4)
    const attrDiff = aw.map((v, i) => v - ao[i]!)
    expect(r.byAttribution![0]).toBe(attrDiff.indexOf(Math.max(...attrDiff)))
    sae.dispose()
    model.dispose()
  })

  it('a feature planted to fire on one token only ranks first when the token is in the "with" set, last when swapped', async () => {
    const model = tinyModel(BOS)
    const hook = hookName.embed()
    // The token embeddings (hook_embed is W_E[id]), read through the model in two windows of 20.
    const act = (await model.collectActivations([Array.from({ length: 20 }, (_, i) => i), Array.from({ length: 20 }, (_, i) => i + 20)], [hook])).get(hook)!
    const emb = ((await act.array()) as number[][][]).flat()
    act.dispose()
    const dot = (u: number[], v: number[]) => u.reduce((s, x, d) => s + x * v[d]!, 0)
    const unit = emb[9]!.map((x) => x / Math.sqrt(dot(emb[9]!, emb[9]!)))
    const self = dot(emb[9]!, unit)
    const others = Math.max(...emb.filter((_, j) => j !== 9).map((e) => dot(e, unit)))
    expect(self).toBeGreaterThan(others) // token 9 is separable along its own direction
    // Feature 0 reads along W_E[9] with a threshold half way between token 9 and its nearest rival: it fires on 9 only,
    // at 4 there. Over the 28 "with" tokens that is a mean of 5·4/28 ≈ 0.71; the random features' differences reach 0.41.
    const gain = 8 / (self - others)
    const wEnc = randomArray(D_MODEL * D_SAE, 11, 1 / Math.sqrt(D_MODEL))
    for (let d = 0; d < D_MODEL; d++) wEnc[d * D_SAE] = unit[d]! * gain
    const bEnc = randomArray(D_SAE, 12, 0.2, 0.1)
    bEnc[0] = (-gain * (self + others)) / 2
    const config = defaultSaeConfig('standard', D_MODEL, D_SAE, null)
    const sae = Sae.fromArrays({ ...config, metadata: { ...config.metadata, hookName: hook } }, { wEnc, wDec: randomArray(D_SAE * D_MODEL, 13, 0.5), bEnc, bDec: new Float32Array(D_MODEL), threshold: null })

    const r = await contrast(model, sae, undefined, WITH, WITHOUT)
    expect(r.without.firing[0]).toBe(0)
    expect(r.with.firing[0]).toBeCloseTo(5 / r.with.tokens, 6) // the five 9s in WITH
    expect(r.byActivation[0]).toBe(0)
    const diff = (i: number) => r.with.mean[i]! - r.without.mean[i]!
    expect(diff(0)).toBeGreaterThan(diff(r.byActivation[1]!) + 0.2) // first by a margin, not a tie
    const swapped = await contrast(model, sae, undefined, WITHOUT, WITH)
    expect(swapped.byActivation[D_SAE - 1]).toBe(0)
    sae.dispose()
    model.dispose()
  })

  it('rejects empty sets, prompts beyond the vocabulary or context, and a set of BOS alone', async () => {
    const model = tinyModel(BOS)
    const sae = randomSae(hookName.residPost(0))
    await expect(contrast(model, sae, undefined, [], WITHOUT)).rejects.toThrow(InvalidArgumentError)
    await expect(contrast(model, sae, undefined, WITH, [[BOS, 40]])).rejects.toThrow(/outside the vocabulary/)
    await expect(contrast(model, sae, undefined, WITH, [new Array<number>(25).fill(1)])).rejects.toThrow(/context/)
    await expect(contrast(model, sae, undefined, WITH, [[BOS]])).rejects.toThrow(/no tokens besides BOS/)
    sae.dispose()
    model.dispose()
  })
})
