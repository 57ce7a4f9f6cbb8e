import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { HookNameError, InvalidArgumentError } from '../errors.ts'
import { makeTinyGpt2, type TinyGpt2Options } from '../testing/tinyModel.ts'
import { HookedGpt2 } from './gpt2.ts'
import { allHookNames, hookName, type HookName } from './hookNames.ts'
import type { HookContext, Hooks } from './hooks.ts'
import { referenceGpt2 } from './reference.ts'

const tiny = (opts: TinyGpt2Options = {}) => {
  const t = makeTinyGpt2({ seed: 7, nLayers: 2, dModel: 16, nHeads: 4, vocab: 50, nCtx: 24, ...opts })
  return { ...t, model: HookedGpt2.fromTensors(t.config, t.tensors) }
}

/** Max |a − b| over two equally shaped nested arrays (or a tensor's arraySync()). */
function maxAbsDiff(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b)
  const aa = Array.from(a as ArrayLike<unknown>)
  const bb = Array.from(b as ArrayLike<unknown>)
  expect(aa.length).toBe(bb.length)
  return aa.reduce<number>((m, x, i) => Math.max(m, maxAbsDiff(x, bb[i])), 0)
}

function logitsOf(model: HookedGpt2, ids: number[][], hooks?: Hooks): number[][][] {
  const t = model.forward(ids, hooks ? { hooks } : {})
  const out = t.arraySync()
  t.dispose()
  return out
}

const PROMPT = [3, 17, 42, 5, 5, 9, 0, 49, 23, 11]

beforeAll(async () => {
  await selectBackend(['wasm'])
})

describe('HookedGpt2 against a plain-JS reference', () => {
  for (const [label, opts] of [
    ['1 layer, gelu_new', { nLayers: 1 }],
    ['2 layers, exact gelu, untied lm_head', { nLayers: 2, activation: 'gelu', untiedLmHead: true }],
    ['2 layers, relu, d_mlp ≠ 4·d', { nLayers: 2, activation: 'relu', dMlp: 24 }],
  ] as const) {
    it(`matches Float64 loops: ${label}`, () => {
      const { config, tensors, model } = tiny(opts)
      const ref = referenceGpt2(config, tensors, PROMPT)
      const { logits, cache } = model.runWithCache([PROMPT], [hookName.residPost(0)])
      expect(maxAbsDiff(logits.arraySync()[0], ref.logits)).toBeLessThan(1e-4)
      expect(maxAbsDiff((cache.get(hookName.residPost(0))!.arraySync() as number[][][])[0], ref.residPost[0])).toBeLessThan(1e-4)
      // The logits are not degenerate: the check would catch a wrong model.
      const spread = Math.max(...ref.logits[0]!) - Math.min(...ref.logits[0]!)
      expect(spread).toBeGreaterThan(2)
      logits.dispose()
      for (const t of cache.values()) t.dispose()
      model.dispose()
    })
  }
})

describe('long sequences (the per-head attention path on wasm)', () => {
  it('matches the reference and the KV cache on 130 positions with 64-wide heads', () => {
    const { config, tensors, model } = tiny({ nLayers: 1, nCtx: 136, dModel: 128, nHeads: 2, vocab: 20 })
    const ids = Array.from({ length: 130 }, (_, i) => (i * 17 + 3) % config.vocabSize)
    const ref = referenceGpt2(config, tensors, ids)
    const full = logitsOf(model, [ids])[0]!
    expect(maxAbsDiff(full, ref.logits)).toBeLessThan(1e-4)
    const kv = model.newKvCache(1)
    model.forward([ids.slice(0, 126)], { kvCache: kv }).dispose()
    const tail = model.forward([ids.slice(126)], { kvCache: kv })
    expect(maxAbsDiff(tail.arraySync()[0], full.slice(126))).toBeLessThan(1e-4)
    tail.dispose()
    kv.dispose()
    model.dispose()
  })
})

describe('hooks', () => {
  let m: ReturnType<typeof tiny>
  beforeAll(() => {
    m = tiny()
  })
  afterAll(() => m.model.dispose())

  it('leaves logits bit-identical under identity hooks at every point', () => {
    const base = logitsOf(m.model, [PROMPT])
    const names = allHookNames(m.config.nLayers)
    const returning: Hooks = Object.fromEntries(names.map((n) => [n, (act: tf.Tensor) => act]))
    const silent: Hooks = Object.fromEntries(names.map((n) => [n, [() => undefined, () => {}]]))
    expect(maxAbsDiff(logitsOf(m.model, [PROMPT], returning), base)).toBe(0)
    expect(maxAbsDiff(logitsOf(m.model, [PROMPT], silent), base)).toBe(0)
  })

  it('changes logits when a residual stream is zeroed', () => {
    const base = logitsOf(m.model, [PROMPT])
    for (let l = 0; l < m.config.nLayers; l++) {
      const zeroed = logitsOf(m.model, [PROMPT], { [hookName.residPost(l)]: (act: tf.Tensor) => tf.zerosLike(act) })
      expect(maxAbsDiff(zeroed, base)).toBeGreaterThan(0.1)
    }
  })

  it('shows TransformerLens shapes at every hook point', () => {
    const { config } = m
    const ids = [PROMPT.slice(0, 6), PROMPT.slice(2, 8)]
    const names = allHookNames(config.nLayers)
    const { logits, cache } = m.model.runWithCache(ids, names)
    expect(logits.shape).toEqual([2, 6, config.vocabSize])
    for (const name of names) {
      const shape = cache.get(name)!.shape
      if (name.endsWith('attn.hook_pattern')) expect(shape, name).toEqual([2, config.nHeads, 6, 6])
      else if (name.endsWith('mlp.hook_post')) expect(shape, name).toEqual([2, 6, config.dMlp])
      else expect(shape, name).toEqual([2, 6, config.dModel])
    }
    // Attention rows are distributions over visible keys only.
    const pattern = cache.get(hookName.attnPattern(1))!.arraySync() as number[][][][]
    for (const row of pattern[0]![0]!.entries()) {
      const [q, weights] = row
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5)
      for (let k = q + 1; k < weights.length; k++) expect(weights[k]).toBe(0)
    }
    // resid_mid = resid_pre + attn_out and resid_post = resid_mid + mlp_out
    const sum = tf.tidy(() => tf.add(cache.get(hookName.residPre(1))!, cache.get(hookName.attnOut(1))!).arraySync())
    expect(maxAbsDiff(sum, cache.get(hookName.residMid(1))!.arraySync())).toBeLessThan(1e-5)
    logits.dispose()
    for (const t of cache.values()) t.dispose()
  })

  it('applies a replacement downstream and caches what flows on', () => {
    const name = hookName.residPre(1)
    const { logits, cache } = m.model.runWithCache([PROMPT], [name], { hooks: { [name]: (act: tf.Tensor) => tf.mul(act, 2) } })
    const plain = m.model.runWithCache([PROMPT], [hookName.residPost(0)])
    expect(maxAbsDiff(cache.get(name)!.arraySync(), tf.tidy(() => tf.mul(plain.cache.get(hookName.residPost(0))!, 2).arraySync()))).toBeLessThan(1e-5)
    for (const t of [logits, plain.logits, ...cache.values(), ...plain.cache.values()]) t.dispose()
  })

  it('rejects a replacement of the wrong shape, dtype or kind, and unknown hook names', () => {
    const name = hookName.mlpPost(0)
    const before = tf.memory().numTensors
    expect(() => m.model.forward([PROMPT], { hooks: { [name]: (act: tf.Tensor) => act.slice([0, 0, 0], [1, 1, 4]) } })).toThrow(InvalidArgumentError)
    expect(() => m.model.forward([PROMPT], { hooks: { [name]: (act: tf.Tensor) => act.slice([0, 0, 0], [1, 1, 4]) } })).toThrow(/must keep \[1, 10, 64\]/)
    expect(() => m.model.forward([PROMPT], { hooks: { [name]: (act: tf.Tensor) => tf.cast(act, 'int32') } })).toThrow(/float32/)
    expect(() => m.model.forward([PROMPT], { hooks: { [name]: (() => 3) as never } })).toThrow(InvalidArgumentError)
    expect(() => m.model.forward([PROMPT], { hooks: { ['blocks.9.hook_resid_post' as HookName]: () => {} } })).toThrow(HookNameError)
    expect(() => m.model.runWithCache([PROMPT], ['blocks.0.hook_nonsense' as HookName])).toThrow(HookNameError)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('collectActivations stops early and agrees with runWithCache', () => {
    const names = [hookName.residPost(0), hookName.attnPattern(0)]
    const early = m.model.collectActivations([PROMPT], names)
    const full = m.model.runWithCache([PROMPT], names)
    for (const n of names) expect(maxAbsDiff(early.get(n)!.arraySync(), full.cache.get(n)!.arraySync())).toBe(0)
    let ranLayer1 = false
    const probe = m.model.collectActivations([PROMPT], [hookName.residPost(0)], { hooks: { [hookName.residPre(1)]: () => void (ranLayer1 = true) } })
    expect(ranLayer1).toBe(false)
    for (const t of [...early.values(), full.logits, ...full.cache.values(), ...probe.values()]) t.dispose()
    const before = tf.memory().numTensors
    const last = [hookName.residPost(m.config.nLayers - 1), hookName.lnFinalNormalized()]
    const deep = m.model.collectActivations([PROMPT], last)
    expect([...deep.keys()]).toEqual(last)
    for (const t of deep.values()) t.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('invariants', () => {
  let m: ReturnType<typeof tiny>
  beforeAll(() => {
    m = tiny({ nLayers: 3 })
  })
  afterAll(() => m.model.dispose())

  it('never lets future tokens change earlier logits', () => {
    const full = logitsOf(m.model, [PROMPT])[0]!
    const other = [...PROMPT.slice(0, 4), ...PROMPT.slice(4).map((id) => (id + 13) % m.config.vocabSize)]
    const changed = logitsOf(m.model, [other])[0]!
    expect(maxAbsDiff(changed.slice(0, 4), full.slice(0, 4))).toBeLessThan(1e-5)
    expect(maxAbsDiff(changed.slice(4), full.slice(4))).toBeGreaterThan(0.1)
    for (const k of [1, 4, 9]) expect(maxAbsDiff(logitsOf(m.model, [PROMPT.slice(0, k)])[0], full.slice(0, k))).toBeLessThan(1e-5)
  })

  it('runs a batch of two prompts as two single runs', () => {
    const a = PROMPT
    const b = [...PROMPT].reverse()
    const batch = logitsOf(m.model, [a, b])
    expect(maxAbsDiff(batch[0], logitsOf(m.model, [a])[0])).toBeLessThan(1e-5)
    expect(maxAbsDiff(batch[1], logitsOf(m.model, [b])[0])).toBeLessThan(1e-5)
  })

  it('rejects bad ids', () => {
    expect(() => m.model.forward([])).toThrow(InvalidArgumentError)
    expect(() => m.model.forward([[]])).toThrow(InvalidArgumentError)
    expect(() => m.model.forward([[1, 2], [3]])).toThrow(/equal lengths/)
    expect(() => m.model.forward([[1, 50]])).toThrow(/outside the vocabulary/)
    expect(() => m.model.forward([[1.5]])).toThrow(/outside the vocabulary/)
    expect(() => m.model.forward([Array.from({ length: 25 }, () => 1)])).toThrow(/context of 24/)
  })
})

describe('KV cache', () => {
  let m: ReturnType<typeof tiny>
  beforeAll(() => {
    m = tiny({ nLayers: 2 })
  })
  afterAll(() => m.model.dispose())

  it('gives the logits of a full recompute, one position or a chunk at a time', () => {
    const ids = [PROMPT, PROMPT.map((id) => (id * 3 + 1) % m.config.vocabSize)]
    const full = logitsOf(m.model, ids)
    for (const chunks of [[4, 1, 1, 1, 1, 1, 1], [1, 3, 2, 4], [10]]) {
      const kv = m.model.newKvCache(2)
      const got: number[][][] = [[], []]
      let start = 0
      for (const n of chunks) {
        const offsets: number[] = []
        const logits = m.model.forward(
          ids.map((row) => row.slice(start, start + n)),
          { kvCache: kv, hooks: { [hookName.residPre(0)]: (act: tf.Tensor, ctx: HookContext) => void offsets.push(ctx.positionOffset, act.shape[1]!) } },
        )
        expect(offsets).toEqual([start, n]) // hooks see only the new positions
        logits.arraySync().forEach((rows, b) => got[b]!.push(...rows))
        logits.dispose()
        start += n
        expect(kv.length).toBe(start)
      }
      expect(maxAbsDiff(got, full)).toBeLessThan(1e-4)
      kv.dispose()
    }
  })

  it('unembeds only the last position on request', () => {
    const full = logitsOf(m.model, [PROMPT])[0]!
    const last = m.model.forward([PROMPT], { logitsAt: 'last' })
    expect(last.shape).toEqual([1, 1, m.config.vocabSize])
    expect(maxAbsDiff(last.arraySync()[0]![0], full.at(-1))).toBeLessThan(1e-5)
    last.dispose()
  })

  it('refuses to pass the context, a wrong batch, a disposed cache or another model’s cache', () => {
    const kv = m.model.newKvCache(1)
    const before = tf.memory().numTensors
    m.model.forward([Array.from({ length: 20 }, (_, i) => i)], { kvCache: kv }).dispose()
    expect(() => m.model.forward([[1, 2, 3, 4, 5]], { kvCache: kv })).toThrow(/20 cached \+ 5 new positions exceed the model's context of 24/)
    expect(kv.length).toBe(20) // the failed call left the cache as it was
    expect(() => m.model.forward([[1], [2]], { kvCache: kv })).toThrow(/batch of 1/)
    const other = tiny()
    expect(() => other.model.forward([[1]], { kvCache: kv })).toThrow(/another model/)
    other.model.dispose()
    // A hook that throws mid-pass leaves the cache unchanged and leaks nothing.
    const tensorsWithCache = tf.memory().numTensors
    expect(() => m.model.forward([[1]], { kvCache: kv, hooks: { [hookName.residPost(1)]: () => { throw new Error('boom') } } })).toThrow('boom')
    expect(kv.length).toBe(20)
    expect(tf.memory().numTensors).toBe(tensorsWithCache)
    kv.dispose()
    expect(tf.memory().numTensors).toBe(before)
    expect(() => m.model.forward([[1]], { kvCache: kv })).toThrow(/disposed/)
  })
})

describe('checkpoint naming variants', () => {
  it('gives identical logits for prefix/bare, with/without attn.bias, lm_head present/tied', () => {
    let reference: number[][][] | null = null
    for (const naming of ['transformer-prefix', 'bare'] as const) {
      for (const withAttnBias of [false, true]) {
        for (const withLmHead of [false, true]) {
          const m = tiny({ naming, withAttnBias, withLmHead })
          expect(m.model.tiedLmHead).toBe(true)
          const logits = logitsOf(m.model, [PROMPT])
          if (reference === null) reference = logits
          else expect(maxAbsDiff(logits, reference), `${naming} ${withAttnBias} ${withLmHead}`).toBe(0)
          m.model.dispose()
        }
      }
    }
  })

  it('uses a separate lm_head when it differs from wte', () => {
    const m = tiny({ untiedLmHead: true })
    expect(m.model.tiedLmHead).toBe(false)
    expect([...m.model.parameters().keys()]).toContain('lm_head.weight')
    m.model.dispose()
  })
})

describe('parameters and memory', () => {
  it('exposes HF-named variables; assigning them changes the forward pass (unembedding included)', () => {
    const { config, tensors, model } = tiny({ nLayers: 1 })
    const params = model.parameters()
    expect([...params.keys()].slice(0, 3)).toEqual(['wte.weight', 'wpe.weight', 'h.0.ln_1.weight'])
    expect(params.size).toBe(2 + 12 + 2)
    logitsOf(model, [PROMPT]) // builds the cached transpose of wte
    const other = makeTinyGpt2({ seed: 99, nLayers: 1, dModel: 16, nHeads: 4, vocab: 50, nCtx: 24 })
    const newWte = other.tensors.get('wte.weight')!
    tf.tidy(() => params.get('wte.weight')!.assign(tf.tensor(newWte.data, newWte.shape)))
    const expected = referenceGpt2(config, new Map([...tensors, ['wte.weight', newWte]]), PROMPT)
    expect(maxAbsDiff(logitsOf(model, [PROMPT])[0], expected.logits)).toBeLessThan(1e-4)
    const saved = model.toTensorMap()
    expect(saved.get('wte.weight')!.data).toEqual(newWte.data)
    expect(saved.get('h.0.mlp.c_fc.weight')!.shape).toEqual([16, 64])
    model.dispose()
  })

  it('keeps tf.memory().numTensors flat over forwards, cached runs and KV decoding', () => {
    const { model, config } = tiny()
    const hooks: Hooks = { [hookName.residPost(0)]: (act: tf.Tensor) => tf.add(act, 0.1) }
    logitsOf(model, [PROMPT]) // warm-up: the cached unembedding transpose is made once
    const before = tf.memory().numTensors
    for (let i = 0; i < 100; i++) model.forward([PROMPT], i % 2 ? { hooks } : {}).dispose()
    expect(tf.memory().numTensors).toBe(before)
    for (let i = 0; i < 100; i++) {
      const { logits, cache } = model.runWithCache([PROMPT], allHookNames(config.nLayers))
      logits.dispose()
      for (const t of cache.values()) t.dispose()
    }
    expect(tf.memory().numTensors).toBe(before)
    const kv = model.newKvCache(1)
    for (let i = 0; i < config.nCtx; i++) model.forward([[i % config.vocabSize]], { kvCache: kv, hooks }).dispose()
    kv.dispose()
    expect(tf.memory().numTensors).toBe(before)
    model.dispose()
    expect(tf.memory().numTensors).toBe(before - config.nLayers * 12 - 4 - 1)
  })
})
