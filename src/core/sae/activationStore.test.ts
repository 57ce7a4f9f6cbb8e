// The activation store serves exactly the model's activations (in order unshuffled, as a multiset shuffled), its
// windows and normalisation constant are what they claim, and it leaks no tensors.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { HookNameError, InvalidArgumentError } from '../errors.ts'
import { tfjsModelFromTensors } from '../model/tfjsEngine.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { hookName, type HookName } from '../model/hookNames.ts'
import { makeTinyGpt2 } from '../testing/tinyModel.ts'
import { EOT_ID } from '../world/world.ts'
import { ActivationStore, createTokenWindows, documentWindows, windowActivations, type ActivationCorpus } from './activationStore.ts'
import { outOfOrderRunner } from './testing/outOfOrderRunner.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const tiny = (vocab = 50) => {
  const t = makeTinyGpt2({ seed: 3, nLayers: 2, dModel: 16, nHeads: 2, vocab, nCtx: 16 })
  return tfjsModelFromTensors(t.config, t.tensors)
}

const corpus: ActivationCorpus = { kind: 'tokens', ids: Array.from({ length: 37 }, (_, i) => 1 + ((i * 17 + 5) % 49)) }

/** runWithCache's rows of `hook` for `windows`, BOS positions dropped: [windows·(len−1)][d]. */
async function referenceRows(model: HookedModel, hook: HookName, windows: number[][]): Promise<number[][]> {
  const { logits, cache } = await model.runWithCache(windows, [hook])
  const act = cache.get(hook)!.arraySync() as number[][][]
  logits.dispose()
  for (const t of cache.values()) t.dispose()
  return act.flatMap((w) => w.slice(1))
}

async function take(store: ActivationStore, batches: number, size: number): Promise<number[][]> {
  const rows: number[][] = []
  for (let i = 0; i < batches; i++) {
    const b = await store.nextBatch(size)
    rows.push(...(b.arraySync() as number[][]))
    b.dispose()
  }
  return rows
}

const sortRows = (rows: number[][]) => [...rows].sort((a, b) => a.reduce((c, v, i) => c || v - b[i]!, 0))

function expectRowsClose(a: number[][], b: number[][]) {
  expect(a.length).toBe(b.length)
  let worst = 0
  a.forEach((r, i) => r.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i]![j]!)))))
  expect(worst).toBeLessThan(1e-5)
}

describe('createTokenWindows', () => {
  it('prepends BOS, joins text lines with BOS, skips empty lines and cycles', async () => {
    const tokenizer = { encode: (t: string) => t.split(' ').filter((s) => s).map(Number) }
    const w = createTokenWindows({ kind: 'lines', lines: ['1 2 3', '', '4 5'], tokenizer }, { contextSize: 4, bosTokenId: 0 })
    expect(w.next(3)).toEqual([
      [0, 1, 2, 3],
      [0, 0, 4, 5],
      [0, 0, 1, 2],
    ])
    expect(w.epochs).toBe(1)
    expect(createTokenWindows({ kind: 'tokens', ids: [7, 8] }, { contextSize: 3, bosTokenId: null }).next(2)).toEqual([
      [7, 8, 7],
      [8, 7, 8],
    ])
    expect(() => createTokenWindows({ kind: 'lines', lines: ['', ''], tokenizer }, { contextSize: 4, bosTokenId: 0 }).next(1)).toThrow(/no tokens/)
  })

  it('reads the TinyWorld stream after its opening separator', async () => {
    const w = createTokenWindows({ kind: 'world', seed: 5 }, { contextSize: 12, bosTokenId: EOT_ID }).next(3)
    expect(w.every((row) => row.length === 12 && row[0] === EOT_ID)).toBe(true)
    expect(w[0]![1]).not.toBe(EOT_ID)
  })

  it('covers whole documents in context-sized pieces', async () => {
    expect(documentWindows([[1, 2, 3, 4, 5], [6]], { contextSize: 3, bosTokenId: 0 })).toEqual([[0, 1, 2], [0, 3, 4], [0, 5], [0, 6]])
  })
})

describe('ActivationStore', () => {
  it('serves runWithCache rows in corpus order when unshuffled, BOS positions skipped', async () => {
    const model = tiny()
    const before = tf.memory().numTensors
    const hook = hookName.residPost(0)
    const store = new ActivationStore(model, { hook, corpus, contextSize: 8, bosTokenId: 0, windowsPerPass: 2, bufferRows: 14, shuffle: false })
    expect(store.dIn).toBe(16)
    const rows = await take(store, 4, 7)
    expect(tf.memory().numTensors).toBe(before) // checked before runWithCache, which caches the unembedding
    const windows = createTokenWindows(corpus, { contextSize: 8, bosTokenId: 0 }).next(4)
    expectRowsClose(rows, await referenceRows(model, hook, windows))
    expect(store.tokensProcessed).toBe(32)
    model.dispose()
  })

  it('serves the same rows as a multiset when shuffled, in a seeded order', async () => {
    const model = tiny()
    const hook = hookName.mlpPost(1)
    const make = (seed: number) => new ActivationStore(model, { hook, corpus, contextSize: 8, bosTokenId: 0, windowsPerPass: 2, bufferRows: 28, seed })
    // One batch of the whole buffer: exactly the first fill (later batches would mix in refills).
    const a = await take(make(1), 1, 28)
    expect(a[0]).toHaveLength(64) // mlp.hook_post is d_mlp wide
    const windows = createTokenWindows(corpus, { contextSize: 8, bosTokenId: 0 }).next(4)
    const ref = await referenceRows(model, hook, windows)
    expectRowsClose(sortRows(a), sortRows(ref))
    expect(a).not.toEqual(ref)
    expect(await take(make(1), 1, 28)).toEqual(a)
    expect(await take(make(2), 1, 28)).not.toEqual(a)
    model.dispose()
  })

  it('serves identical batches when a pass runner computes the passes, finishing them out of order', async () => {
    const model = tiny()
    const hook = hookName.residPost(1)
    const runner = outOfOrderRunner(model, hook, { size: 3, skipFirst: true })
    const make = (withRunner: boolean) => new ActivationStore(model, { hook, corpus, contextSize: 8, bosTokenId: 0, windowsPerPass: 2, bufferRows: 60, seed: 4, ...(withRunner ? { runner } : {}) })
    const [plain, threaded] = [make(false), make(true)]
    const before = tf.memory().numTensors
    expect(await take(threaded, 12, 20)).toEqual(await take(plain, 12, 20)) // several refills, each shuffled
    expect(threaded.tokensProcessed).toBe(plain.tokensProcessed)
    expect(threaded.corpusEpochs, 'passes run ahead are not counted').toBe(plain.corpusEpochs)
    expect(plain.corpusEpochs).toBeGreaterThan(0)
    expect(runner.most, 'passes overlapped').toBe(3)
    // The next refill's passes run while batches are served: 30 rows (half the buffer) of 14-row passes is 3.
    const ahead = outOfOrderRunner(model, hook, { size: 3, skipFirst: true, stepMs: 1 })
    const store = new ActivationStore(model, { hook, corpus, contextSize: 8, bosTokenId: 0, windowsPerPass: 2, bufferRows: 60, seed: 4, runner: ahead })
    ;(await store.nextBatch(20)).dispose()
    expect(ahead.calls, 'the first fill (60 rows: 5 passes of 14), then 30 rows ahead (3)').toBe(8)
    ;(await store.nextBatch(20)).dispose()
    ;(await store.nextBatch(20)).dispose()
    expect(ahead.calls, 'no refill yet: 30 of 70 rows left').toBe(8)
    ;(await store.nextBatch(20)).dispose() // 30 left < 30? no; 10 left after it
    ;(await store.nextBatch(20)).dispose() // 10 left: the refill needs 50 rows, the 42 run ahead and 1 more; then 3 ahead
    expect(ahead.calls).toBe(12)
    expect(tf.memory().numTensors).toBe(before)
    const failing = new ActivationStore(model, { hook, corpus, contextSize: 8, bosTokenId: 0, bufferRows: 60, runner: { size: 2, run: () => Promise.reject(new Error('thread lost')) } })
    await expect(failing.nextBatch(4)).rejects.toThrow(/thread lost/)
    model.dispose()
  })

  it('keeps BOS rows when asked, and needs no BOS', async () => {
    const model = tiny()
    const hook = hookName.residPre(1)
    const store = new ActivationStore(model, { hook, corpus, contextSize: 4, bosTokenId: null, windowsPerPass: 1, bufferRows: 4, shuffle: false })
    const rows = await take(store, 2, 4)
    const windows = createTokenWindows(corpus, { contextSize: 4, bosTokenId: null }).next(2)
    const { logits, cache } = await model.runWithCache(windows, [hook])
    expectRowsClose(rows, (cache.get(hook)!.arraySync() as number[][][]).flat())
    logits.dispose()
    for (const t of cache.values()) t.dispose()
    model.dispose()
  })

  it('estimates the scale that makes the mean row norm √d_in', async () => {
    const model = tiny()
    const hook = hookName.residPost(1)
    const opts = { hook, corpus, contextSize: 8, bosTokenId: 0, windowsPerPass: 2, bufferRows: 14 }
    const est = await new ActivationStore(model, { ...opts, seed: 4 }).estimateNormScale(28)
    const ref = await referenceRows(model, hook, createTokenWindows(corpus, { contextSize: 8, bosTokenId: 0 }).next(4))
    const meanNorm = ref.reduce((s, r) => s + Math.hypot(...r), 0) / ref.length
    expect(est.meanNorm).toBeCloseTo(meanNorm, 4)
    expect(est.scale).toBeCloseTo(4 / meanNorm, 5)
    model.dispose()
  })

  it('rejects attention patterns, unknown hooks and contexts beyond the model', async () => {
    const model = tiny()
    expect(() => new ActivationStore(model, { hook: 'blocks.0.attn.hook_pattern', corpus })).toThrow(InvalidArgumentError)
    expect(() => new ActivationStore(model, { hook: 'blocks.7.hook_resid_post', corpus })).toThrow(HookNameError)
    expect(() => new ActivationStore(model, { hook: 'blocks.0.hook_resid_post', corpus, contextSize: 99 })).toThrow(/context/)
    model.dispose()
  })
})

describe('windowActivations', () => {
  it('right-pads windows of different lengths without changing their rows', async () => {
    const model = tiny()
    const hook = hookName.residPost(0)
    const windows = [[0, 5, 6, 7, 8], [0, 9], [0, 3, 4]]
    const before = tf.memory().numTensors
    const rows = await windowActivations(model, hook, windows, { skipFirst: true })
    const got = rows.arraySync()
    rows.dispose()
    expect(tf.memory().numTensors).toBe(before)
    expectRowsClose(got, (await Promise.all(windows.map((w) => referenceRows(model, hook, [w])))).flat())
    model.dispose()
  })
})
