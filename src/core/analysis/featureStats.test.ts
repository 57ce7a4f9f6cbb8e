// The streaming pass against a brute-force scan of every activation: densities, maxima, top examples with their
// contexts, histograms and quantile samples; determinism per seed, uniform sampling, cancellation, no leaks.
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { CancelledError } from '../errors.ts'
import { createRng } from '../generate/rng.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { Sae } from '../sae/sae.ts'
import { DEFAULT_ANALYSIS_OPTIONS } from './analyze.ts'
import { computeFeatureStats, type FeatureStatsOptions } from './featureStats.ts'
import { histogramBins } from './histogram.ts'
import { BinReservoirs } from './quantileSamples.ts'
import { bruteForceActs, tinyModel, tinySae, tinyWindows, TINY_HOOK } from './testing/fixtures.ts'

let model: HookedModel
let sae: Sae
let windows: number[][]
let acts: number[][][]
const options: FeatureStatsOptions = { ...DEFAULT_ANALYSIS_OPTIONS, topK: 4, contextBefore: 3, contextAfter: 2, quantiles: 4, perQuantile: 3, windowsPerPass: 3, histogram: { min: 1e-3, max: 10, binsPerDecade: 4 } }

beforeAll(async () => {
  await selectBackend(['wasm'])
  model = tinyModel()
  sae = tinySae(11)
  windows = tinyWindows(13, 5)
  acts = await bruteForceActs(model, sae, TINY_HOOK, windows)
})

afterAll(() => {
  sae.dispose()
  model.dispose()
})

/** Every (window, position, value) where feature j is active, in corpus order. */
function activeTokens(j: number): { window: number; position: number; value: number }[] {
  const out: { window: number; position: number; value: number }[] = []
  acts.forEach((rows, w) => rows.forEach((row, p) => row && row[j]! > 0 && out.push({ window: w, position: p, value: row[j]! })))
  return out
}

describe('computeFeatureStats', () => {
  it('gives the densities, maxima, top examples and histograms of a brute-force scan', async () => {
    const s = await computeFeatureStats({ model, sae, hook: TINY_HOOK, windows, options })
    const nTokens = windows.reduce((a, w) => a + w.length - 1, 0)
    expect(s.nTokens).toBe(nTokens)
    const bins = histogramBins(options.histogram)
    let live = 0
    for (let j = 0; j < sae.config.dSae; j++) {
      const active = activeTokens(j)
      expect(s.activeCounts[j]).toBe(active.length)
      expect(s.maxActs[j]).toBeCloseTo(Math.max(0, ...active.map((a) => a.value)), 5)
      if (active.length > 0) live++

      // Top examples: each window's best token (first on ties), best windows first.
      const perWindow = new Map<number, { window: number; position: number; value: number }>()
      for (const a of active) if (!perWindow.has(a.window) || a.value > perWindow.get(a.window)!.value) perWindow.set(a.window, a)
      const expected = [...perWindow.values()].sort((a, b) => b.value - a.value || a.window - b.window).slice(0, options.topK)
      const got = s.topExamples[j]!
      expect(got.map((e) => [e.window, e.position])).toEqual(expected.map((e) => [e.window, e.position]))
      got.forEach((e, i) => {
        expect(e.value).toBeCloseTo(expected[i]!.value, 5)
        const lo = Math.max(1, e.position - options.contextBefore)
        const hi = Math.min(windows[e.window]!.length - 1, e.position + options.contextAfter)
        expect(e.start).toBe(lo)
        expect(e.tokenIds).toEqual(windows[e.window]!.slice(lo, hi + 1))
        e.values.forEach((v, t) => expect(v).toBeCloseTo(acts[e.window]![lo + t]![j]!, 5))
      })

      const hist = new Array<number>(bins.nBins).fill(0)
      for (const a of active) hist[bins.binOf(a.value)]! += 1
      expect(Array.from(s.histogramCounts.subarray(j * bins.nBins, (j + 1) * bins.nBins))).toEqual(hist)
    }
    expect(s.activeCounts[0]).toBe(0) // the dead feature
    expect(s.topExamples[0]).toEqual([])
    expect(live).toBeGreaterThan(15)
  })

  it('samples each quantile interval from its own tokens, with contexts stored or re-encoded, the same for a seed', async () => {
    const a = await computeFeatureStats({ model, sae, hook: TINY_HOOK, windows, options: { ...options, sampleContexts: 'store' } })
    const b = await computeFeatureStats({ model, sae, hook: TINY_HOOK, windows, options: { ...options, sampleContexts: 'store' } })
    const c = await computeFeatureStats({ model, sae, hook: TINY_HOOK, windows, options: { ...options, sampleContexts: 'store', seed: 1 } })
    const re = await computeFeatureStats({ model, sae, hook: TINY_HOOK, windows, options: { ...options, sampleContexts: 'reencode' } })
    expect(b.quantiles).toEqual(a.quantiles)
    expect(c.quantiles).not.toEqual(a.quantiles)
    // Re-encoding picks the same tokens (the draws do not depend on where contexts come from) and equal contexts.
    const strip = (s: typeof a) => s.quantiles.map((l) => l.map((q) => ({ ...q, examples: q.examples.map((e) => ({ ...e, values: e.values.length })) })))
    expect(strip(re)).toEqual(strip(a))
    re.quantiles.flat().forEach((q, i) => q.examples.forEach((e, k) => e.values.forEach((v, t) => expect(v).toBeCloseTo(a.quantiles.flat()[i]!.examples[k]!.values[t]!, 5))))
    for (let j = 1; j < sae.config.dSae; j++) {
      const active = activeTokens(j)
      const intervals = a.quantiles[j]!
      expect(intervals.reduce((t, q) => t + q.count, 0)).toBe(active.length)
      expect(intervals.length).toBeLessThanOrEqual(options.quantiles)
      for (const q of intervals) {
        const inside = active.filter((t) => t.value > q.lo - 1e-6 && t.value <= q.hi + 1e-6 && (t.value < q.hi - 1e-6 || q === intervals.at(-1)))
        expect(q.count).toBe(inside.length)
        expect(q.examples.length).toBe(Math.min(options.perQuantile, q.count))
        expect(new Set(q.examples.map((e) => `${e.window}:${e.position}`)).size).toBe(q.examples.length)
        for (const e of q.examples) {
          expect(e.value).toBeCloseTo(acts[e.window]![e.position]![j]!, 5)
          expect(inside.some((t) => t.window === e.window && t.position === e.position)).toBe(true)
          e.values.forEach((v, t) => expect(v).toBeCloseTo(acts[e.window]![e.start + t]![j]!, 5))
          expect(e.tokenIds).toEqual(windows[e.window]!.slice(e.start, e.start + e.values.length))
        }
      }
    }
  })

  it('reports progress up to 1, cancels with CancelledError, and leaks no tensors', async () => {
    const before = tf.memory().numTensors
    const seen: number[] = []
    await computeFeatureStats({ model, sae, hook: TINY_HOOK, windows, options, onProgress: (f) => seen.push(f) })
    await computeFeatureStats({ model, sae, hook: TINY_HOOK, windows, options })
    expect(tf.memory().numTensors).toBe(before)
    expect(seen.at(-1)).toBe(1)
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1]!)).toBe(true)

    const controller = new AbortController()
    let batches = 0
    const run = computeFeatureStats({ model, sae, hook: TINY_HOOK, windows, options, signal: controller.signal, onProgress: () => ++batches === 2 && controller.abort() })
    await expect(run).rejects.toBeInstanceOf(CancelledError)
    expect(batches).toBe(2) // stopped at the next batch boundary
    expect(tf.memory().numTensors).toBe(before)
    await expect(computeFeatureStats({ model, sae, hook: TINY_HOOK, windows, options: { ...options, topK: -1 } })).rejects.toThrow(/topK must be a non-negative integer/)
    await expect(computeFeatureStats({ model, sae, hook: TINY_HOOK, windows: [[0, 99]], options })).rejects.toThrow(/outside the vocabulary/)
  })
})

describe('BinReservoirs', () => {
  it('draws every token of a multi-bin interval with equal probability', () => {
    // One feature, 30 tokens in bin 1 and 10 in bin 2, one interval: each token should be drawn 4/40 of the time.
    const bins = histogramBins({ min: 1, max: 100, binsPerDecade: 1 })
    const counts = new Int32Array(bins.nBins)
    counts[1] = 30
    counts[2] = 10
    const hits = new Array<number>(40).fill(0)
    const trials = 4000
    for (let seed = 0; seed < trials; seed++) {
      const rng = createRng(seed)
      const res = new BinReservoirs(1, bins.nBins, 4)
      for (let t = 0; t < 40; t++) res.offer(0, t < 30 ? 1 : 2, t < 30 ? t : t - 30, t < 30 ? 2 : 20, t, 0, rng)
      const [q] = res.intervals(0, counts, bins, 1, 50, rng)
      expect(q!.samples.length).toBe(4)
      for (const s of q!.samples) hits[s.window]! += 1
    }
    for (const h of hits) expect(Math.abs(h / trials - 0.1)).toBeLessThan(0.02) // 4 standard deviations
  })
})
