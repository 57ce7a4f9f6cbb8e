// The lean forward pass against the plain one: the in-place KV cache (wasm/cpu), the concat cache (what the GPU
// backends run) and full recompute give the same logits and greedy tokens; logitsAt unembeds only what is asked.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { generate } from '../generate/generate.ts'
import { argmax } from '../generate/sample.ts'
import { resolveSource } from '../sources/index.ts'
import { makeTinyGpt2 } from '../testing/tinyModel.ts'
import { HookedGpt2 } from './gpt2.ts'
import type { HookedModel } from './hookedModel.ts'
import { hookName } from './hookNames.ts'
import type { Hooks } from './hooks.ts'
import { KV_CHUNK, type KvCache } from './kvCache.ts'
import { loadModel } from './load.ts'
import { TfjsEngine } from './tfjsEngine.ts'

const TINYWORLD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../public/models/tinyworld')

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number)
}

/** Greedy decoding by full recompute of every prefix, all positions unembedded: the pass with no cache at all. */
function greedyByRecompute(model: HookedGpt2, prompt: number[], steps: number): number[] {
  const seq = [...prompt]
  for (let i = 0; i < steps; i++) {
    const logits = model.forward([seq]) // [1, len, vocab]
    const last = tf.tidy(() => logits.slice([0, seq.length - 1, 0], [1, 1, -1]).dataSync() as Float32Array)
    logits.dispose()
    seq.push(argmax(last))
  }
  return seq.slice(prompt.length)
}

/** Greedy decoding through a given cache, one token per step, with logitsAt 'last'. */
function greedyThrough(model: HookedGpt2, kv: KvCache, prompt: number[], steps: number): number[] {
  const out: number[] = []
  let input = prompt
  for (let i = 0; i < steps; i++) {
    const logits = model.forward([input], { kvCache: kv, logitsAt: 'last' }) // [1, 1, vocab]
    const id = argmax(logits.dataSync() as Float32Array)
    logits.dispose()
    out.push(id)
    input = [id]
  }
  return out
}

async function greedyByGenerate(model: HookedModel, prompt: number[], steps: number): Promise<number[]> {
  const out: number[] = []
  for await (const id of generate(model, prompt, { maxTokens: steps, temperature: 0, seed: 0 })) out.push(id)
  return out
}

beforeAll(async () => {
  await selectBackend(['wasm'])
})

describe('greedy generation: in-place cache = concat cache = full recompute', () => {
  // A prompt of 40 and 40 steps cross KV_CHUNK (64): the buffer grows mid-generation.
  const STEPS = 40
  it(`on a random GPT-2-shaped model, over ${STEPS} steps`, async () => {
    expect(KV_CHUNK).toBeLessThan(40 + STEPS)
    const { config, tensors } = makeTinyGpt2({ seed: 5, nLayers: 3, dModel: 64, nHeads: 4, vocab: 211, nCtx: 128 })
    const engine = new TfjsEngine(HookedGpt2.fromTensors(config, tensors))
    const prompt = Array.from({ length: 40 }, (_, i) => (i * 37 + 11) % config.vocabSize)
    const reference = greedyByRecompute(engine.gpt2, prompt, STEPS)
    expect(new Set(reference).size).toBeGreaterThan(3) // not one repeated token: the comparison means something
    expect(await greedyByGenerate(engine, prompt, STEPS)).toEqual(reference)
    const concat = engine.gpt2.newKvCache(1, { inPlace: false })
    expect(concat.inPlace).toBe(false)
    expect(greedyThrough(engine.gpt2, concat, prompt, STEPS)).toEqual(reference)
    concat.dispose()
    engine.dispose()
  })

  it(`on the committed TinyWorld model, over ${STEPS} steps`, async () => {
    const { model } = await loadModel(resolveSource(TINYWORLD))
    const gpt2 = (model as TfjsEngine).gpt2
    const prompt = [0, ...Array.from({ length: 39 }, (_, i) => 1 + ((i * 53) % (model.config.vocabSize - 1)))]
    const reference = greedyByRecompute(gpt2, prompt, STEPS)
    expect(await greedyByGenerate(model, prompt, STEPS)).toEqual(reference)
    const concat = gpt2.newKvCache(1, { inPlace: false })
    expect(greedyThrough(gpt2, concat, prompt, STEPS)).toEqual(reference)
    concat.dispose()
    model.dispose()
  })
})

describe('the in-place KV cache', () => {
  let model: HookedGpt2
  const { config, tensors } = makeTinyGpt2({ seed: 9, nLayers: 2, dModel: 32, nHeads: 4, vocab: 60, nCtx: 100 })
  const ids = [Array.from({ length: 70 }, (_, i) => (i * 7 + 3) % 60), Array.from({ length: 70 }, (_, i) => (i * 11 + 5) % 60)]
  beforeAll(() => {
    model = HookedGpt2.fromTensors(config, tensors)
  })
  afterAll(() => model.dispose())

  it('gives the logits of full recompute and of the concat cache, in chunks that cross a buffer growth', () => {
    const full = model.forward(ids) // [2, 70, vocab]
    for (const inPlace of [true, false]) {
      const kv = model.newKvCache(2, { inPlace })
      let start = 0
      for (const n of [30, 1, 1, 33, 1, 4]) {
        const logits = model.forward(ids.map((row) => row.slice(start, start + n)), { kvCache: kv }) // [2, n, vocab]
        const expected = full.slice([0, start, 0], [2, n, -1])
        expect(maxAbsDiff(logits, expected), `inPlace ${inPlace}, positions ${start}…${start + n - 1}`).toBeLessThan(1e-4)
        tf.dispose([logits, expected])
        start += n
      }
      expect(kv.length).toBe(70)
      expect(kv.capacity).toBe(inPlace ? 100 : 70) // 128 rounded down to the context
      kv.dispose()
    }
    full.dispose()
  })

  it('is written in place on the cpu backend too, with the same logits', async () => {
    await selectBackend(['cpu'])
    try {
      const cpuModel = HookedGpt2.fromTensors(config, tensors)
      const full = cpuModel.forward([ids[0]!.slice(0, 66)]) // [1, 66, vocab]
      const kv = cpuModel.newKvCache(1)
      expect(kv.inPlace).toBe(true)
      cpuModel.forward([ids[0]!.slice(0, 63)], { kvCache: kv, logitsAt: 'none' }).dispose()
      const rows: tf.Tensor[] = []
      for (let i = 63; i < 66; i++) rows.push(cpuModel.forward([[ids[0]![i]!]], { kvCache: kv })) // crosses capacity 64
      const got = tf.concat(rows, 1)
      const expected = full.slice([0, 63, 0], [1, 3, -1])
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-4)
      tf.dispose([full, got, expected, ...rows])
      kv.dispose()
      cpuModel.dispose()
    } finally {
      await selectBackend(['wasm'])
    }
  })

  it('shows pattern hooks only the positions so far, as without a buffer', () => {
    const layer = 1
    const seen: tf.Tensor[] = []
    const hooks: Hooks = { [hookName.attnPattern(layer)]: (act: tf.Tensor) => void seen.push(tf.keep(act.clone())) }
    const kv = model.newKvCache(1)
    model.forward([ids[0]!.slice(0, 9)], { kvCache: kv }).dispose()
    model.forward([ids[0]!.slice(9, 10)], { kvCache: kv, hooks }).dispose()
    expect(kv.capacity).toBeGreaterThan(10)
    const { cache, logits } = model.runWithCache([ids[0]!.slice(0, 10)], [hookName.attnPattern(layer)])
    const fullRow = cache.get(hookName.attnPattern(layer))!.slice([0, 0, 9, 0], [1, 4, 1, 10]) // [1, head, 1, 10]
    expect(seen[0]!.shape).toEqual([1, 4, 1, 10])
    expect(maxAbsDiff(seen[0]!, fullRow)).toBeLessThan(1e-5)
    tf.dispose([...seen, fullRow, logits, ...cache.values()])
    kv.dispose()
  })

  it('zeroes what a failed pass wrote, so that a later step is not poisoned by it', () => {
    const kv = model.newKvCache(1)
    model.forward([ids[0]!.slice(0, 8)], { kvCache: kv }).dispose()
    // A three-position pass writes NaN keys and values into slots 8…10 of layer 1, then fails.
    const poison: Hooks = {
      [hookName.residPre(1)]: (act: tf.Tensor) => tf.fill(act.shape, NaN),
      [hookName.residPost(1)]: () => {
        throw new Error('boom')
      },
    }
    expect(() => model.forward([ids[0]!.slice(8, 11)], { kvCache: kv, hooks: poison })).toThrow('boom')
    expect(kv.length).toBe(8)
    // One position: slots 9 and 10 stay unfilled and masked; attention must still see finite values there.
    const step = model.forward([ids[0]!.slice(8, 9)], { kvCache: kv })
    const full = model.forward([ids[0]!.slice(0, 9)])
    const expected = full.slice([0, 8, 0], [1, 1, -1])
    expect(maxAbsDiff(step, expected)).toBeLessThan(1e-4)
    tf.dispose([step, full, expected])
    kv.dispose()
  })

  it('leaks no tensors over repeated generate calls', async () => {
    const engine = new TfjsEngine(HookedGpt2.fromTensors(config, tensors))
    await greedyByGenerate(engine, ids[0]!.slice(0, 5), 3) // warm-up: the unembedding transpose is made once
    const before = tf.memory().numTensors
    for (let i = 0; i < 5; i++) await greedyByGenerate(engine, ids[0]!.slice(0, 30 + i), 40)
    expect(tf.memory().numTensors).toBe(before)
    engine.dispose()
  })
})

describe('logitsAt', () => {
  let model: HookedGpt2
  const { config, tensors } = makeTinyGpt2({ seed: 3, nLayers: 2, dModel: 16, nHeads: 4, vocab: 50, nCtx: 24 })
  const ids = [[3, 17, 42, 5, 5, 9, 0, 49], [1, 2, 3, 4, 5, 6, 7, 8]]
  beforeAll(() => {
    model = HookedGpt2.fromTensors(config, tensors)
  })
  afterAll(() => model.dispose())

  it("'last' is the last row of 'all'; 'none' is empty, still runs the hooks and fills the cache", () => {
    const all = model.forward(ids, { logitsAt: 'all' }) // [2, 8, vocab]
    const last = model.forward(ids, { logitsAt: 'last' })
    expect(last.shape).toEqual([2, 1, 50])
    const allLast = all.slice([0, 7, 0], [2, 1, -1])
    expect(maxAbsDiff(last, allLast)).toBeLessThan(1e-5)
    let normedSeen = 0
    const kv = model.newKvCache(2)
    const none = model.forward(ids.map((r) => r.slice(0, 7)), { kvCache: kv, logitsAt: 'none', hooks: { [hookName.lnFinalNormalized()]: () => void normedSeen++ } })
    expect(none.shape).toEqual([2, 0, 50])
    expect(normedSeen).toBe(1)
    const next = model.forward(ids.map((r) => r.slice(7)), { kvCache: kv })
    expect(maxAbsDiff(next, allLast)).toBeLessThan(1e-4)
    tf.dispose([all, last, allLast, none, next])
    kv.dispose()
  })

  it("'none' never runs the unembedding, 'last' runs it on one row per sequence (kernel output shapes)", async () => {
    /** Rows of every matrix product whose output is vocabulary-wide, from the profiled kernels. */
    const vocabProducts = async (logitsAt: 'all' | 'last' | 'none'): Promise<number[]> => {
      const info = await tf.profile(() => {
        const { logits, cache } = model.runWithCache(ids, [hookName.residPost(1)], { logitsAt })
        tf.dispose([logits, ...cache.values()])
      })
      const products = info.kernels.filter((k) => /MatMul/.test(k.name) && !k.name.endsWith('__op') && k.outputShapes[0]?.at(-1) === 50)
      return products.map((k) => k.outputShapes[0]!.slice(0, -1).reduce((a, b) => a * b, 1))
    }
    expect(await vocabProducts('all')).toEqual([16]) // the control: the spy sees the product when it runs
    expect(await vocabProducts('last')).toEqual([2])
    expect(await vocabProducts('none')).toEqual([])
  })
})
