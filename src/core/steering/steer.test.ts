// Steering a tiny model: clamp-to-current and add-0 leave logits alone, a large clamp does not; position policies
// hold with the KV cache exactly as in a full recompute; BOS is left alone by default; side-by-side runs share a seed.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { argmax } from '../generate/sample.ts'
import { generate } from '../generate/generate.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { hookName, type HookName } from '../model/hookNames.ts'
import type { Hooks } from '../model/hooks.ts'
import type { Intervention } from './interventions.ts'
import type { PositionPolicy } from './positions.ts'
import { divergenceIndex, generateSideBySide, generateSteered, runSideBySide, steeringHooksFor } from './steer.ts'
import { maxAbsDiffRows, randomSae, take, tinyModel } from './testing/fixtures.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const clamp = (index: number, value: number): Intervention => ({ index, mode: 'clamp', strength: { kind: 'absolute', value } })
const add = (index: number, value: number): Intervention => ({ index, mode: 'add', strength: { kind: 'absolute', value } })
const greedy = { temperature: 0 }

/** Logits [pos, vocab] of one sequence. */
const logitsOf = (model: HookedModel, ids: number[], hooks: Hooks = {}): number[][] => take<number[][][]>(model.differentiable()!.forward([ids], { hooks }))[0]!

/** Logits [pos, vocab] through the KV cache: the prompt in one pass, then one token per pass. */
async function kvLogits(model: HookedModel, prompt: number[], continuation: number[], hooks: Hooks): Promise<number[][]> {
  const kv = model.newKvCache(1)
  try {
    const rows = take<number[][][]>(await model.forward([prompt], { kvCache: kv, hooks }))[0]!
    for (const id of continuation) rows.push(take<number[][][]>(await model.forward([[id]], { kvCache: kv, hooks }))[0]![0]!)
    return rows
  } finally {
    kv.dispose()
  }
}

async function collect(gen: AsyncGenerator<number, void, undefined>): Promise<number[]> {
  const out: number[] = []
  for await (const id of gen) out.push(id)
  return out
}

const prompt = [3, 17, 8, 25, 11]

describe('steering logits', () => {
  it('clamping a feature to its current value keeps logits; a large clamp changes them; adding 0 changes nothing', async () => {
    const model = tinyModel()
    const hook = hookName.residPost(0)
    const sae = randomSae(hook)
    ;(await model.forward([[0]])).dispose() // warm the unembedding cache before counting tensors
    const before = tf.memory().numTensors
    const clean = logitsOf(model, prompt)
    // The feature's current activation at the last position; 'generated' from there steers that position only.
    const { cache, logits } = await model.runWithCache([prompt], [hook])
    const acts = take<number[][][]>(sae.featureActsScaled(cache.get(hook)!))[0]![prompt.length - 1]! // [dSae]
    tf.dispose([logits, ...cache.values()])
    const j = acts.findIndex((v) => v > 0.05)
    expect(j).toBeGreaterThanOrEqual(0)
    const at = async (interventions: Intervention[]) =>
      logitsOf(model, prompt, await steeringHooksFor(model, sae, prompt.slice(0, -1), { interventions, positions: 'generated' }))
    expect(maxAbsDiffRows(await at([clamp(j, acts[j]!)]), clean)).toBeLessThan(1e-4)
    expect(maxAbsDiffRows(await at([clamp(j, acts[j]! + 10)]), clean)).toBeGreaterThan(0.1)
    const all = async (interventions: Intervention[]) => logitsOf(model, prompt, await steeringHooksFor(model, sae, prompt, { interventions }))
    expect(await all([add(j, 0), add(j + 1, 0)])).toEqual(clean)
    expect(maxAbsDiffRows(await all([add(j, 10)]), clean)).toBeGreaterThan(0.1)
    expect(tf.memory().numTensors).toBe(before)
    sae.dispose()
    model.dispose()
  })

  // The hook is the last block's output: after it no attention mixes positions, so a policy's untouched positions
  // must keep the clean logits exactly where they would otherwise change.
  it.each<[PositionPolicy, 'prompt' | 'generated' | 'none']>([
    ['prompt', 'generated'],
    ['generated', 'prompt'],
    ['all', 'none'],
  ])('%s: KV-cache steering equals full recompute and leaves the %s positions clean', async (positions, untouched) => {
    const model = tinyModel()
    const hook: HookName = hookName.residPost(1)
    const sae = randomSae(hook)
    const continuation = [4, 30, 9]
    const all = [...prompt, ...continuation]
    const hooks = await steeringHooksFor(model, sae, prompt, { interventions: [clamp(6, 12), add(2, -4)], positions })
    const full = logitsOf(model, all, hooks)
    const cached = await kvLogits(model, prompt, continuation, hooks)
    expect(maxAbsDiffRows(cached, full)).toBeLessThan(1e-4)
    const clean = logitsOf(model, all)
    const p = prompt.length
    const promptDiff = maxAbsDiffRows(full.slice(0, p), clean.slice(0, p))
    const generatedDiff = maxAbsDiffRows(full.slice(p), clean.slice(p))
    if (untouched === 'prompt') expect(promptDiff).toBeLessThan(1e-5)
    else expect(promptDiff).toBeGreaterThan(0.1)
    if (untouched === 'generated') expect(generatedDiff).toBeLessThan(1e-5)
    else expect(generatedDiff).toBeGreaterThan(0.1)
    sae.dispose()
    model.dispose()
  })

  it('leaves position 0 alone when it is the BOS token, unless asked', async () => {
    const model = tinyModel(0)
    const hook = hookName.residPost(1)
    const sae = randomSae(hook)
    const withBos = [0, ...prompt]
    const clean = logitsOf(model, withBos)
    const interventions = [clamp(6, 12)]
    const skipped = logitsOf(model, withBos, (await steeringHooksFor(model, sae, withBos, { interventions })))
    const steered = logitsOf(model, withBos, (await steeringHooksFor(model, sae, withBos, { interventions, steerBos: true })))
    expect(maxAbsDiffRows([skipped[0]!], [clean[0]!])).toBeLessThan(1e-5)
    expect(maxAbsDiffRows([steered[0]!], [clean[0]!])).toBeGreaterThan(0.1)
    expect(maxAbsDiffRows(skipped.slice(1), steered.slice(1))).toBeLessThan(1e-5)
    // A first token that is not BOS is steered.
    const noBos = logitsOf(model, prompt, (await steeringHooksFor(model, sae, prompt, { interventions })))
    expect(maxAbsDiffRows([noBos[0]!], [logitsOf(model, prompt)[0]!])).toBeGreaterThan(0.1)
    sae.dispose()
    model.dispose()
  })
})

describe('steered generation', () => {
  it('KV-cache generation picks the tokens a full recompute picks, and frees what it makes', async () => {
    const model = tinyModel()
    const hook = hookName.residPost(0)
    const sae = randomSae(hook)
    const opts = { interventions: [clamp(6, 12), add(3, 5)], positions: 'all' as const }
    ;(await model.forward([[0]])).dispose()
    const before = tf.memory().numTensors
    const tokens = await collect(generateSteered(model, sae, prompt, { ...opts, sampling: greedy, seed: 1, maxTokens: 8 }))
    expect(tf.memory().numTensors).toBe(before)
    const hooks = await steeringHooksFor(model, sae, prompt, opts)
    const recomputed: number[] = []
    for (let i = 0; i < 8; i++) recomputed.push(argmax(logitsOf(model, [...prompt, ...recomputed], hooks).at(-1)!))
    expect(tokens).toEqual(recomputed)
    const plain = await collect(generate(model, prompt, { ...greedy, seed: 1, maxTokens: 8 }))
    expect(tokens).not.toEqual(plain)
    sae.dispose()
    model.dispose()
  })

  it('runs default and steered side by side from one seed', async () => {
    const model = tinyModel()
    const sae = randomSae(hookName.residPost(0))
    const sampling = { temperature: 1, topK: 10 }
    const plain = await collect(generate(model, prompt, { ...sampling, seed: 9, maxTokens: 10 }))
    const steered = await collect(generateSteered(model, sae, prompt, { interventions: [clamp(6, 12)], sampling, seed: 9, maxTokens: 10 }))
    const steps: number[] = []
    const result = await runSideBySide(model, sae, prompt, { interventions: [clamp(6, 12)], sampling, seed: 9, maxTokens: 10, onStep: (s) => steps.push(s.index) })
    expect(result.default).toEqual(plain)
    expect(result.steered).toEqual(steered)
    expect(result.divergence).toBe(divergenceIndex(plain, steered))
    expect(result.divergence).not.toBeNull()
    expect(steps).toEqual([...Array(10).keys()])
    const same = await runSideBySide(model, sae, prompt, { interventions: [add(6, 0)], sampling, seed: 9, maxTokens: 10 })
    expect(same.steered).toEqual(same.default)
    expect(same.divergence).toBeNull()
    // Bad interventions fail at the call, before any token; breaking out early frees both caches.
    expect(() => generateSideBySide(model, sae, prompt, { interventions: [clamp(999, 1)], sampling, seed: 9, maxTokens: 3 })).toThrow(/does not exist/)
    const before = tf.memory().numTensors
    for await (const step of generateSideBySide(model, sae, prompt, { interventions: [clamp(6, 12)], sampling, seed: 9, maxTokens: 10 })) {
      if (step.index === 2) break
    }
    expect(tf.memory().numTensors).toBe(before)
    sae.dispose()
    model.dispose()
  })

  it('divergenceIndex finds the first differing position', async () => {
    expect(divergenceIndex([1, 2, 3], [1, 2, 3])).toBeNull()
    expect(divergenceIndex([1, 2, 3], [1, 5, 3])).toBe(1)
    expect(divergenceIndex([1, 2], [1, 2, 3])).toBe(2)
    expect(divergenceIndex([], [])).toBeNull()
    expect(divergenceIndex([4], [])).toBe(0)
  })
})
