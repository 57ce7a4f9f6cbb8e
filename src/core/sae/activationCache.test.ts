// The activation cache holds exactly the model's activations in corpus order, survives a file round trip, refuses
// malformed files with a clear message, and serves every row once per epoch.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { SaeFormatError } from '../errors.ts'
import { writeSafetensors } from '../formats/safetensors.ts'
import { tfjsModelFromTensors } from '../model/tfjsEngine.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { hookName } from '../model/hookNames.ts'
import { makeTinyGpt2 } from '../testing/tinyModel.ts'
import { activationCacheToBytes, CachedActivationSource, harvestActivations, readActivationCache, type ActivationCache, type PassRunner } from './activationCache.ts'
import { createTokenWindows, windowActivations, type ActivationCorpus } from './activationStore.ts'
import { outOfOrderRunner } from './testing/outOfOrderRunner.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const corpus: ActivationCorpus = { kind: 'tokens', ids: Array.from({ length: 37 }, (_, i) => 1 + ((i * 17 + 5) % 49)) }
const hook = hookName.residPost(0)

async function tinyCache(rows: number): Promise<{ cache: ActivationCache; model: HookedModel }> {
  const t = makeTinyGpt2({ seed: 3, nLayers: 2, dModel: 16, nHeads: 2, vocab: 50, nCtx: 16 })
  const model = tfjsModelFromTensors(t.config, t.tensors)
  const cache = await harvestActivations(model, { hook, corpus, corpusDescription: 'test', modelDescription: 'tiny', rows, contextSize: 8, bosTokenId: 0, windowsPerPass: 3 })
  return { cache, model }
}

describe('harvestActivations', () => {
  it('keeps the rows of windowActivations in corpus order, BOS left out, cut at the requested count', async () => {
    const { cache, model } = await tinyCache(40)
    const windows = createTokenWindows(corpus, { contextSize: 8, bosTokenId: 0 }).next(6)
    const ref = await windowActivations(model, hook, windows, { skipFirst: true }) // [42, 16]
    const expected = (ref.dataSync() as Float32Array).subarray(0, 40 * 16)
    ref.dispose()
    expect(cache.rows).toBe(40)
    expect(cache.dIn).toBe(16)
    expect(cache.info.skipBos).toBe(true)
    expect(cache.info.tokensProcessed).toBe(6 * 8)
    expect(Array.from(cache.data)).toEqual(Array.from(expected))
    model.dispose()
  })
})

describe('activation cache files', () => {
  it('gives the same rows through a pass runner whose passes finish out of order, and stops on a failing pass', async () => {
    const { cache, model } = await tinyCache(100)
    const options = { hook, corpus, corpusDescription: 'test', modelDescription: 'tiny', rows: 100, contextSize: 8, bosTokenId: 0, windowsPerPass: 3 }
    const runner = outOfOrderRunner(model, hook, { size: 3, skipFirst: true })
    const viaRunner = await harvestActivations(model, { ...options, runner })
    expect(runner.most, 'passes overlapped').toBe(3)
    expect(runner.calls).toBe(5) // 100 rows at 21 a pass: five passes, none wasted
    expect(viaRunner.info).toEqual(cache.info)
    expect(Buffer.compare(Buffer.from(viaRunner.data.buffer), Buffer.from(cache.data.buffer))).toBe(0)
    const failing: PassRunner = { size: 2, run: async () => Promise.reject(new Error('thread lost')) }
    await expect(harvestActivations(model, { ...options, runner: failing })).rejects.toThrow(/thread lost/)
    model.dispose()
  })

  it('round-trips data and metadata', async () => {
    const { cache, model } = await tinyCache(20)
    model.dispose()
    const back = readActivationCache(activationCacheToBytes(cache))
    expect(back.info).toEqual(cache.info)
    expect(Array.from(back.data)).toEqual(Array.from(cache.data))
  })

  it('refuses files that are not caches, with the reason', async () => {
    const plain = writeSafetensors({ activations: { shape: [2, 2], data: new Float32Array(4) } })
    expect(() => readActivationCache(plain, 'x.safetensors')).toThrow(SaeFormatError)
    expect(() => readActivationCache(plain, 'x.safetensors')).toThrow(/x.safetensors is not a Monoscope activation cache: metadata "format"/)
    const meta = { format: 'monoscope.activations', version: '1', hook_name: 'blocks.0.hook_resid_post', context_size: '8', bos_token_id: '0', skip_bos: 'true', tokens_processed: '16' }
    const wrongShape = writeSafetensors({ activations: { shape: [4], data: new Float32Array(4) } }, meta)
    expect(() => readActivationCache(wrongShape)).toThrow(/shape \[4\], expected \[rows, d_in\]/)
    const badMeta = writeSafetensors({ activations: { shape: [2, 2], data: new Float32Array(4) } }, { ...meta, context_size: 'eight' })
    expect(() => readActivationCache(badMeta)).toThrow(/"context_size" is "eight"/)
    const newer = writeSafetensors({ activations: { shape: [2, 2], data: new Float32Array(4) } }, { ...meta, version: '2' })
    expect(() => readActivationCache(newer)).toThrow(/version "2" is not supported/)
  })
})

describe('CachedActivationSource', () => {
  const cache: ActivationCache = {
    info: { hookName: hook, model: 'm', corpus: 'c', contextSize: 8, bosTokenId: 0, skipBos: true, tokensProcessed: 24 },
    rows: 10,
    dIn: 2,
    data: Float32Array.from({ length: 20 }, (_, i) => Math.floor(i / 2) + (i % 2) / 10), // row r = [r, r + 0.1]
  }

  it('serves each row exactly once per epoch, shuffled, and counts epochs', async () => {
    const source = new CachedActivationSource(cache, { seed: 1 })
    const seen: number[] = []
    for (let i = 0; i < 5; i++) {
      const b = source.nextBatch(4)
      const rows = b.arraySync()
      b.dispose()
      rows.forEach((r) => expect(r[1]! - r[0]!).toBeCloseTo(0.1, 5)) // rows stay whole
      seen.push(...rows.map((r) => r[0]!))
    }
    expect(source.corpusEpochs).toBe(2)
    expect([...seen.slice(0, 10)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect([...seen.slice(10, 20)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(seen.slice(0, 10)).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('is deterministic for a seed, and leaks no tensors', async () => {
    const a = new CachedActivationSource(cache, { seed: 7 })
    const b = new CachedActivationSource(cache, { seed: 7 })
    const before = tf.memory().numTensors
    for (let i = 0; i < 6; i++) {
      const x = a.nextBatch(3)
      const y = b.nextBatch(3)
      expect(x.arraySync()).toEqual(y.arraySync())
      tf.dispose([x, y])
    }
    expect(tf.memory().numTensors).toBe(before)
  })

  it('skips rows exactly as serving them would, across epochs', async () => {
    const served = new CachedActivationSource(cache, { seed: 3 })
    const skipped = new CachedActivationSource(cache, { seed: 3 })
    for (let i = 0; i < 4; i++) served.nextBatch(6).dispose()
    skipped.skip(24)
    expect(skipped.corpusEpochs).toBe(served.corpusEpochs)
    const a = served.nextBatch(9)
    const b = skipped.nextBatch(9)
    expect(b.arraySync()).toEqual(a.arraySync())
    tf.dispose([a, b])
  })

  it('estimates the input scale from the rows', async () => {
    const source = new CachedActivationSource(cache)
    const norms = Array.from({ length: 10 }, (_, r) => Math.hypot(r, r + 0.1))
    const mean = norms.reduce((a, b) => a + b) / 10
    const est = source.estimateNormScale(100)
    expect(est.rows).toBe(10)
    expect(est.meanNorm).toBeCloseTo(mean, 4)
    expect(est.scale).toBeCloseTo(Math.sqrt(2) / mean, 5)
  })
})
