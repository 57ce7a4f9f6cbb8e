// Attribution and ablation against independent references on a tiny GPT-2: ablation equals a forward pass with the
// SAE's reconstruction re-decoded from edited latents (plus the error term), for every active feature and each
// kind of target; attribution equals a central finite difference of that same forward in f_i; the features',
// error's and bias's attributions add up to x · ∇ₓ taken by a separate gradient; no tensors leak.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { InvalidArgumentError } from '../errors.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { hookName } from '../model/hookNames.ts'
import type { Sae } from '../sae/sae.ts'
import type { NormalizeActivations, SaeArchitecture } from '../sae/types.ts'
import { randomSae, tinyModel } from '../steering/testing/fixtures.ts'
import { steeringEditFor, steeringHooksFor } from '../steering/steer.ts'
import { attribute, topKOverlap, type FeatureEffect } from './attribute.ts'
import type { AttributionTarget } from './target.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const HOOK = hookName.residPost(0)
const PROMPT = [3, 17, 5, 29, 11, 8, 21]

/** The target read in plain JS from logits [1, 1, vocab] (an independent copy of target.ts's arithmetic). */
function targetFromLogits(logits: Float32Array, target: AttributionTarget): number {
  const v = Array.from(logits)
  if (target.kind === 'logit') return v[target.token]!
  if (target.kind === 'logitDiff') return v[target.token]! - v[target.versus]!
  const max = Math.max(...v)
  const logSum = max + Math.log(v.reduce((a, x) => a + Math.exp(x - max), 0))
  return logSum - v[target.token]!
}

/** The hook's activation [T, dIn] and the SAE's latents for it, as plain arrays. */
async function latents(model: HookedModel, sae: Sae, ids: number[]): Promise<{ x: number[][]; f: number[][] }> {
  const act = (await model.collectActivations([ids], [HOOK])).get(HOOK)!
  const f = sae.encode(act)
  const out = { x: ((await act.array()) as number[][][])[0]!, f: ((await f.array()) as number[][][])[0]! }
  tf.dispose([act, f])
  return out
}

/**
 * The target with the hook replaced by decode(f') brought back to the input's scale, plus e = x − SAE(x): the
 * definition of "SAE(x) + error with edited latents", computed without attribute.ts. Layer-norm SAEs scale back
 * by each row's std and mean, computed here in JS.
 */
async function splicedTarget(model: HookedModel, sae: Sae, ids: number[], x: number[][], fEdited: number[][], target: AttributionTarget): Promise<number> {
  const value = tf.tidy(() => {
    const xt = tf.tensor2d(x)
    const error = tf.sub(xt, sae.forward(xt))
    let recon = sae.decode(tf.tensor2d(fEdited))
    if (sae.config.normalizeActivations === 'layer_norm') {
      const stats = x.map((row) => {
        const mean = row.reduce((a, b) => a + b, 0) / row.length
        const std = Math.sqrt(row.reduce((a, b) => a + (b - mean) ** 2, 0) / (row.length - 1))
        return { mean, std }
      })
      recon = tf.add(tf.mul(recon, tf.tensor2d(stats.map((s) => [s.std]))), tf.tensor2d(stats.map((s) => [s.mean])))
    }
    return tf.expandDims(tf.add(recon, error), 0)
  })
  const logits = await model.forward([ids], { hooks: { [HOOK]: () => tf.clone(value) }, logitsAt: 'last' })
  const out = targetFromLogits((await logits.data()) as Float32Array, target)
  tf.dispose([value, logits])
  return out
}

const edited = (f: number[][], e: Pick<FeatureEffect, 'position' | 'feature'>, v: number) => f.map((row, p) => row.map((a, i) => (p === e.position && i === e.feature ? v : a)))

const TARGETS: AttributionTarget[] = [
  { kind: 'logit', token: 9 },
  { kind: 'logitDiff', token: 9, versus: 14 },
  { kind: 'loss', token: 9 },
]

describe('attribute', () => {
  const cases: [SaeArchitecture, NormalizeActivations][] = [
    ['standard', 'none'],
    ['topk', 'none'],
    ['jumprelu', 'none'],
    ['standard', 'layer_norm'],
  ]
  it.each(cases)('ablation of every active feature equals a re-decoded spliced forward (%s, %s)', async (architecture, normalizeActivations) => {
    const model = tinyModel()
    const sae = randomSae(HOOK, { architecture, patch: { normalizeActivations } })
    for (const target of TARGETS) {
      const result = await attribute(model, sae, undefined, PROMPT, { target, batchSize: 7 })
      const { x, f } = await latents(model, sae, PROMPT)
      const active = f.flat().filter((a) => a !== 0).length
      expect(result.features.length).toBe(active)
      expect(active).toBeGreaterThan(PROMPT.length) // enough features for the check to mean something
      const clean = await splicedTarget(model, sae, PROMPT, x, f, target)
      expect(result.value).toBeCloseTo(clean, 4)
      let moved = 0
      for (const e of result.features) {
        const reference = clean - (await splicedTarget(model, sae, PROMPT, x, edited(f, e, 0), target))
        expect(Math.abs(e.ablation! - reference)).toBeLessThan(2e-4)
        moved = Math.max(moved, Math.abs(reference))
      }
      expect(moved).toBeGreaterThan(0.05) // ablations are not all ~0, which would pass trivially
    }
    sae.dispose()
    model.dispose()
  })

  it('attribution equals a central finite difference in f_i, times f_i', async () => {
    const model = tinyModel()
    const sae = randomSae(HOOK)
    const target: AttributionTarget = { kind: 'logitDiff', token: 9, versus: 14 }
    const result = await attribute(model, sae, undefined, PROMPT, { target, ablation: false })
    const { x, f } = await latents(model, sae, PROMPT)
    const h = 1e-2
    // The five largest attributions and five from the middle of the ranking.
    const mid = Math.floor(result.features.length / 2)
    for (const e of [...result.features.slice(0, 5), ...result.features.slice(mid, mid + 5)]) {
      const a = f[e.position]![e.feature]!
      const up = await splicedTarget(model, sae, PROMPT, x, edited(f, e, a + h), target)
      const down = await splicedTarget(model, sae, PROMPT, x, edited(f, e, a - h), target)
      const reference = (a * (up - down)) / (2 * h)
      expect(Math.abs(e.attribution! - reference)).toBeLessThan(2e-3 + 1e-2 * Math.abs(reference))
    }
    expect(Math.abs(result.features[0]!.attribution!)).toBeGreaterThan(0.05)
    sae.dispose()
    model.dispose()
  })

  it("the features', error's and bias's attributions add up to x · ∇ₓ target from a separate gradient", async () => {
    const model = tinyModel()
    for (const normalizeActivations of ['none', 'layer_norm'] as const) {
      const sae = randomSae(HOOK, { patch: { normalizeActivations } })
      const target: AttributionTarget = { kind: 'loss', token: 4 }
      const result = await attribute(model, sae, undefined, PROMPT, { target, ablation: false })
      const { x } = await latents(model, sae, PROMPT)
      const dm = model.differentiable()!
      const product = tf.tidy(() => {
        const xt = tf.tensor3d([x])
        const g = tf.grad((xi: tf.Tensor) => {
          const logits = dm.forward([PROMPT], { hooks: { [HOOK]: () => xi }, logitsAt: 'last' })
          const last = tf.reshape(logits, [-1])
          return tf.neg(tf.slice(tf.logSoftmax(last), [4], [1]).sum())
        })(xt)
        return tf.sum(tf.mul(xt, g))
      })
      const xDotGrad = (await product.data())[0]!
      product.dispose()
      const features = result.features.reduce((a, e) => a + e.attribution!, 0)
      const rest = result.errorAttribution!.reduce((a, b) => a + b, 0) + result.biasAttribution!.reduce((a, b) => a + b, 0)
      expect(Math.abs(features + rest - xDotGrad)).toBeLessThan(1e-3 + 1e-4 * Math.abs(xDotGrad))
      expect(Math.abs(features)).toBeGreaterThan(0.1)
      sae.dispose()
    }
    model.dispose()
  })

  it('without gradients (as on ONNX) gives the same ablations, no attribution, and says why', async () => {
    const model = tinyModel()
    const noGrad = new Proxy(model, { get: (m, key) => (key === 'differentiable' ? () => null : Reflect.get(m, key, m)) }) as HookedModel
    const sae = randomSae(HOOK)
    const target: AttributionTarget = { kind: 'logit', token: 2 }
    const withGrad = await attribute(model, sae, undefined, PROMPT, { target })
    const without = await attribute(noGrad, sae, undefined, PROMPT, { target })
    expect(without.attributionUnavailable).toMatch(/needs the tfjs engine/)
    expect(without.errorAttribution).toBeNull()
    expect(without.features.every((e) => e.attribution === null)).toBe(true)
    const byKey = new Map(withGrad.features.map((e) => [`${e.position}:${e.feature}`, e.ablation!]))
    for (const e of without.features) expect(e.ablation).toBeCloseTo(byKey.get(`${e.position}:${e.feature}`)!, 5)
    // Ranked by |ablation| when there is no attribution.
    expect(Math.abs(without.features[0]!.ablation!)).toBe(Math.max(...without.features.map((e) => Math.abs(e.ablation!))))
    sae.dispose()
    model.dispose()
  })

  it('analyses the prompt up to the position, ranks by |attribution|, and leaks no tensors', async () => {
    const model = tinyModel()
    const sae = randomSae(HOOK)
    const target: AttributionTarget = { kind: 'logit', token: 9 }
    await attribute(model, sae, undefined, PROMPT, { target, position: 3 }) // warm caches before counting
    const before = tf.memory().numTensors
    for (let i = 0; i < 3; i++) {
      const r = await attribute(model, sae, undefined, PROMPT, { target, position: 3 })
      expect(r.ids).toEqual(PROMPT.slice(0, 4))
      expect(r.features.every((e) => e.position <= 3)).toBe(true)
      const keys = r.features.map((e) => Math.abs(e.attribution!))
      expect(keys).toEqual([...keys].sort((a, b) => b - a))
    }
    expect(tf.memory().numTensors).toBe(before)
    sae.dispose()
    model.dispose()
  })

  it('under steering, explains the steered model: its value is the steered logit, and a clamped feature counts at its clamped value', async () => {
    const model = tinyModel()
    const sae = randomSae(HOOK)
    const target: AttributionTarget = { kind: 'logit', token: 9 }
    const interventions = [
      { index: 5, mode: 'clamp' as const, strength: { kind: 'absolute' as const, value: 6 } },
      { index: 11, mode: 'add' as const, strength: { kind: 'absolute' as const, value: 2 } },
    ]
    const promptIds = PROMPT.slice(0, 4) // a 4-token prompt and 3 generated tokens; 'all' steers every position
    const opts = { interventions, positions: 'all' as const }
    const edit = await steeringEditFor(model, sae, promptIds, opts)
    const r = await attribute(model, sae, undefined, PROMPT, { target, steering: edit })
    // The steered model, as generation runs it: steering hooks on a plain forward.
    const hooks = await steeringHooksFor(model, sae, promptIds, opts)
    const logits = await model.forward([PROMPT], { hooks, logitsAt: 'last' })
    const steered = targetFromLogits((await logits.data()) as Float32Array, target)
    logits.dispose()
    expect(r.value).toBeCloseTo(steered, 4)
    const plain = await attribute(model, sae, undefined, PROMPT, { target })
    expect(Math.abs(r.value - plain.value)).toBeGreaterThan(0.05) // the steering changes the logit
    // Feature 5 is clamped at every position: its latent is 6 / ‖d_5‖ wherever it is listed, and it is listed everywhere.
    const clamped = r.features.filter((e) => e.feature === 5)
    expect(clamped.map((e) => e.position).sort((a, b) => a - b)).toEqual(PROMPT.map((_, p) => p))
    const norms = sae.decoderNorms()
    const norm = ((await norms.data()) as Float32Array)[5]!
    norms.dispose()
    for (const e of clamped) expect(e.activation * norm).toBeCloseTo(6, 4)
    sae.dispose()
    model.dispose()
  })

  it('refuses a position outside the prompt, a token outside the vocabulary, and an SAE for another hook', async () => {
    const model = tinyModel()
    const sae = randomSae(HOOK)
    const before = tf.memory().numTensors
    await expect(attribute(model, sae, undefined, PROMPT, { target: { kind: 'logit', token: 1 }, position: 7 })).rejects.toThrow(InvalidArgumentError)
    await expect(attribute(model, sae, undefined, PROMPT, { target: { kind: 'logit', token: 40 } })).rejects.toThrow(/outside the vocabulary/)
    await expect(attribute(model, sae, undefined, PROMPT, { target: { kind: 'logitDiff', token: 3, versus: 3 } })).rejects.toThrow(/two different tokens/)
    await expect(attribute(model, sae, hookName.residPost(1), PROMPT, { target: { kind: 'logit', token: 1 } })).rejects.toThrow(/trained on/)
    expect(tf.memory().numTensors).toBe(before)
    sae.dispose()
    model.dispose()
  })
})

describe('topKOverlap', () => {
  const e = (feature: number, attribution: number, ablation: number): FeatureEffect => ({ position: 0, feature, activation: 1, attribution, ablation })
  it('counts the shared members of the two top-k sets by magnitude', () => {
    const fs = [e(0, 5, -4), e(1, -4, 0.1), e(2, 0.2, 3), e(3, 0.1, 0.2)]
    expect(topKOverlap(fs, (x) => x.attribution!, (x) => x.ablation!, 2)).toBe(0.5)
    expect(topKOverlap(fs, (x) => x.attribution!, (x) => x.ablation!, 4)).toBe(1)
    expect(topKOverlap(fs, (x) => x.attribution!, (x) => x.attribution!, 1)).toBe(1)
    expect(topKOverlap<FeatureEffect>([], (x) => x.attribution!, (x) => x.ablation!, 3)).toBe(0)
  })
})
