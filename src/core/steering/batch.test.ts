// Batched seeded generation agrees with one-at-a-time generate() per seed, with and without steering hooks, and
// frees its KV cache; concept matching finds multi-token names; measured maxima equal a brute-force pass.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { generate } from '../generate/generate.ts'
import { hookName } from '../model/hookNames.ts'
import { generateBatch } from './batch.ts'
import { containsAnySequence, conceptTokenSequences } from './conceptMatch.ts'
import { buildSteeringHooks } from './interventions.ts'
import { measureMaxActs } from './maxActs.ts'
import { steeringPromptIds } from './prompt.ts'
import { randomSae, take, tinyModel } from './testing/fixtures.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

async function collect(gen: AsyncGenerator<number, void, undefined>): Promise<number[]> {
  const out: number[] = []
  for await (const id of gen) out.push(id)
  return out
}

describe('generateBatch', () => {
  it('gives each seed the tokens generate() gives it, steered or not, and leaks no tensors', async () => {
    const model = tinyModel()
    const hook = hookName.residPost(0)
    const sae = randomSae(hook)
    const prompt = [3, 17, 8]
    const hooks = await buildSteeringHooks(sae, hook, [{ index: 4, mode: 'clamp', strength: { kind: 'absolute', value: 6 } }], { promptLength: prompt.length })
    await generateBatch(model, prompt, { seeds: [1], maxTokens: 1, sampling: { temperature: 1 } }) // warm caches
    const before = tf.memory().numTensors
    const seeds = [1, 2, 3, 4]
    for (const h of [{}, hooks]) {
      const batched = await generateBatch(model, prompt, { seeds, maxTokens: 8, sampling: { temperature: 1 }, hooks: h, stopTokenIds: [5] })
      for (const [i, seed] of seeds.entries()) {
        expect(batched[i]).toEqual(await collect(generate(model, prompt, { maxTokens: 8, temperature: 1, seed, hooks: h, stopTokenIds: [5] })))
      }
    }
    const steered = await generateBatch(model, prompt, { seeds, maxTokens: 8, sampling: { temperature: 0 }, hooks })
    const plain = await generateBatch(model, prompt, { seeds, maxTokens: 8, sampling: { temperature: 0 } })
    expect(steered[0]).not.toEqual(plain[0]) // the clamp is strong enough to matter, so the equality above means something
    expect(tf.memory().numTensors).toBe(before)
    sae.dispose()
    model.dispose()
  })

  it('refuses an empty seed list and an empty prompt', async () => {
    const model = tinyModel()
    await expect(generateBatch(model, [1], { seeds: [], maxTokens: 2, sampling: { temperature: 0 } })).rejects.toThrow(/at least one seed/)
    await expect(generateBatch(model, [], { seeds: [1], maxTokens: 2, sampling: { temperature: 0 } })).rejects.toThrow(/at least one token/)
    model.dispose()
  })
})

describe('measureMaxActs', () => {
  it('equals the max of featureActsScaled over every non-BOS position, without leaking', async () => {
    const model = tinyModel(0)
    const hook = hookName.residPost(1)
    const sae = randomSae(hook)
    const windows = [[0, 4, 9, 2, 7], [0, 3, 3], [0, 11, 12, 13, 14, 15]]
    await measureMaxActs(model, sae, hook, windows, { skipFirst: true })
    const before = tf.memory().numTensors
    const max = await measureMaxActs(model, sae, hook, windows, { skipFirst: true, batchWindows: 2 })
    expect(tf.memory().numTensors).toBe(before)
    const expected = new Array<number>(sae.config.dSae).fill(0)
    for (const w of windows) {
      const { cache, logits } = await model.runWithCache([w], [hook])
      const acts = take<number[][][]>(sae.featureActsScaled(cache.get(hook)!))[0]!
      tf.dispose([logits, ...cache.values()])
      acts.slice(1).forEach((row) => row.forEach((v, j) => (expected[j] = Math.max(expected[j]!, v))))
    }
    Array.from(max).forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 5))
    expect(Math.max(...max)).toBeGreaterThan(0)
    sae.dispose()
    model.dispose()
  })
})

describe('concept matching and steering prompts', () => {
  const words: Record<string, number[]> = { bridge: [7], Bridge: [9], 'Golden Arc Bridge': [4, 5, 9], dide: [8], Dide: [1] }
  const tokenizer = { encode: (text: string) => words[text] ?? [1] }
  const concept = {
    id: 22, name: 'bridge', kind: 'entity' as const, scope: 'word' as const, description: '', parent: null,
    surfaceForms: { en: ['bridge', 'Golden Arc Bridge'], vel: ['dide'], dro: [] },
  }

  it('spells every surface form, drops forms the vocabulary cannot spell, and matches runs of ids', () => {
    const seqs = conceptTokenSequences(concept, tokenizer, 1)
    expect(seqs).toEqual(expect.arrayContaining([[7], [9], [4, 5, 9], [8]]))
    expect(seqs.some((s) => s.includes(1))).toBe(false) // 'Dide' is unknown: it would match every unknown word
    expect(containsAnySequence([3, 4, 5, 9, 2], [[4, 5, 9]])).toBe(true)
    expect(containsAnySequence([3, 4, 5, 2, 9], [[4, 5, 9]])).toBe(false)
    expect(containsAnySequence([3, 2], seqs)).toBe(false)
  })

  it('puts the BOS first when the SAE expects one, once', () => {
    expect(steeringPromptIds([5, 6], { bosTokenId: 0 }, true)).toEqual([0, 5, 6])
    expect(steeringPromptIds([5, 6], { bosTokenId: 0 }, null)).toEqual([0, 5, 6])
    expect(steeringPromptIds([0, 5], { bosTokenId: 0 }, true)).toEqual([0, 5])
    expect(steeringPromptIds([5, 6], { bosTokenId: 0 }, false)).toEqual([5, 6])
    expect(steeringPromptIds([5, 6], { bosTokenId: null }, true)).toEqual([5, 6])
  })
})
