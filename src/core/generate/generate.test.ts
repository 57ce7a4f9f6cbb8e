import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { InvalidArgumentError } from '../errors.ts'
import { tfjsModelFromTensors } from '../model/tfjsEngine.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { hookName } from '../model/hookNames.ts'
import type { HookContext, Hooks } from '../model/hooks.ts'
import { makeTinyGpt2 } from '../testing/tinyModel.ts'
import { generate, type GenerateOptions } from './generate.ts'
import { createRng } from './rng.ts'
import { argmax, sampleToken } from './sample.ts'

let model: HookedModel
const PROMPT = [4, 8, 15, 16, 23]

async function collect(opts: Partial<GenerateOptions>, prompt = PROMPT): Promise<number[]> {
  const out: number[] = []
  for await (const id of generate(model, prompt, { maxTokens: 8, temperature: 0, seed: 0, ...opts })) out.push(id)
  return out
}

/** Decoding by full recompute of every prefix (the slow, obviously right way), with the same sampler and seed. */
function byRecompute(prompt: number[], n: number, opts: { temperature: number; seed: number }, hooks?: Hooks): number[] {
  const seq = [...prompt]
  const rng = createRng(opts.seed)
  for (let i = 0; i < n; i++) {
    const logits = model.differentiable()!.forward([seq], hooks ? { hooks } : {}) // the sync reference path
    const last = tf.tidy(() => logits.slice([0, seq.length - 1, 0], [1, 1, -1]).dataSync() as Float32Array)
    logits.dispose()
    seq.push(opts.temperature === 0 ? argmax(last) : sampleToken(last, { temperature: opts.temperature }, rng))
  }
  return seq.slice(prompt.length)
}

beforeAll(async () => {
  await selectBackend(['wasm'])
  const { config, tensors } = makeTinyGpt2({ seed: 11, nLayers: 2, dModel: 16, nHeads: 4, vocab: 40, nCtx: 24 })
  model = tfjsModelFromTensors(config, tensors)
})
afterAll(() => model.dispose())

describe('generate', () => {
  it('decodes through the KV cache exactly as full recompute does (greedy and sampled)', async () => {
    expect(await collect({ maxTokens: 12 })).toEqual(byRecompute(PROMPT, 12, { temperature: 0, seed: 0 }))
    const sampled = await collect({ maxTokens: 15, temperature: 1, seed: 77 })
    expect(new Set(sampled).size).toBeGreaterThan(3) // a varied sequence, so the comparison means something
    expect(sampled).toEqual(byRecompute(PROMPT, 15, { temperature: 1, seed: 77 }))
  })

  it('applies hooks at every new position, with the position offset', async () => {
    const offsets: number[] = []
    const steer: Hooks = { [hookName.residPost(0)]: (act: tf.Tensor) => tf.neg(act) }
    const probe: Hooks = { [hookName.residPre(1)]: (act: tf.Tensor, ctx: HookContext) => void offsets.push(ctx.positionOffset, act.shape[1]!) }
    const opts = { temperature: 1, seed: 5 }
    const steered = await collect({ maxTokens: 6, ...opts, hooks: { ...steer, ...probe } })
    expect(offsets).toEqual([0, 5, 5, 1, 6, 1, 7, 1, 8, 1, 9, 1])
    expect(steered).toEqual(byRecompute(PROMPT, 6, opts, steer))
    expect(steered).not.toEqual(await collect({ maxTokens: 6, ...opts }))
  })

  it('repeats itself for a seed and varies across seeds', async () => {
    const opts = { maxTokens: 15, temperature: 1.2, topK: 20, topP: 0.95 }
    const a = await collect({ ...opts, seed: 123 })
    expect(a).toHaveLength(15)
    expect(await collect({ ...opts, seed: 123 })).toEqual(a)
    expect(await collect({ ...opts, seed: 124 })).not.toEqual(a)
  })

  it('stops at a stop token (yielding it), on abort, and when the context fills', async () => {
    const greedy = await collect({ maxTokens: 8 })
    const stop = greedy[3]!
    const stopped = await collect({ maxTokens: 8, stopTokenIds: [stop] })
    expect(stopped).toEqual(greedy.slice(0, greedy.indexOf(stop) + 1))

    const controller = new AbortController()
    const got: number[] = []
    for await (const id of generate(model, PROMPT, { maxTokens: 10, temperature: 1, seed: 1, signal: controller.signal })) {
      got.push(id)
      if (got.length === 3) controller.abort()
    }
    expect(got).toHaveLength(3)
    expect(await collect({ signal: AbortSignal.abort() })).toEqual([])

    // 22-token prompt, context 24: the prompt pass and two one-token steps fit, so three tokens come out.
    const long = Array.from({ length: 22 }, (_, i) => i % 40)
    expect(await collect({ maxTokens: 10 }, long)).toHaveLength(3)
    expect(await collect({ maxTokens: 0 })).toEqual([])
  })

  it('validates its options', async () => {
    await expect(collect({ temperature: -1 })).rejects.toThrow(InvalidArgumentError)
    await expect(collect({ maxTokens: -1 })).rejects.toThrow(InvalidArgumentError)
    await expect(collect({}, [])).rejects.toThrow(/at least one token/)
    await expect(collect({}, Array.from({ length: 25 }, () => 1))).rejects.toThrow(/context holds 24/)
  })

  it('leaks no tensors, including when the consumer breaks early', async () => {
    await collect({ maxTokens: 2 }) // warm-up: the cached unembedding transpose
    const before = tf.memory().numTensors
    await collect({ maxTokens: 10, temperature: 0.8, seed: 3 })
    for await (const _ of generate(model, PROMPT, { maxTokens: 10, temperature: 0, seed: 0 })) break
    expect(tf.memory().numTensors).toBe(before)
  })
})
