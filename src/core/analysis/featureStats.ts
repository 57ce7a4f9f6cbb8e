// One streaming pass over a corpus: per SAE feature, the active-token count, max activation, top-K activating
// contexts, a log-spaced histogram and seeded quantile-interval samples, batch by batch, with bounded memory.
//
// Contexts: a token's context activations are copied out of the batch when it enters a top-K heap or a quantile
// reservoir, so no second pass is needed. Heaps cost K·context floats per feature; reservoirs span every
// populated bin, ~bins·R·context floats per feature (≈10 KB at the defaults), so above a memory budget
// (sampleContexts 'auto') they keep only (window, position, value) and the windows their final samples came from
// are re-encoded once at the end — at most quantiles·perQuantile windows per feature, often a second full pass.
import { InvalidArgumentError } from '../errors.ts'
import { createRng } from '../generate/rng.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { HookName } from '../model/hookNames.ts'
import { SparseActsBuilder, type SparseFeatureActs } from '../sae/groundTruth.ts'
import type { Sae } from '../sae/sae.ts'
import { checkpoint, throwIfAborted } from './cancel.ts'
import { exampleFromContext, materialiseSamples, samplesFromContexts, type ContextExample } from './contexts.ts'
import { checkAnalysisInputs, encodeWindows, type TokenWindow } from './encodeWindows.ts'
import { histogramBins, type HistogramSpec } from './histogram.ts'
import { BinReservoirs } from './quantileSamples.ts'
import { TopExamplesHeap } from './topExamplesHeap.ts'

export interface FeatureStatsOptions {
  /** Top activating contexts kept per feature (distinct windows: each window offers its best token). */
  topK: number
  /** Context tokens shown before and after the chosen token (clipped at the window's edges). */
  contextBefore: number
  contextAfter: number
  /** Activation-quantile intervals per feature, and tokens sampled from each. */
  quantiles: number
  perQuantile: number
  histogram: HistogramSpec
  /** Seeds the reservoirs and the final draws: the same corpus and seed give the same samples. */
  seed: number
  windowsPerPass: number
  /** Leave out each window's first position (its BOS: an outlier SAEs are not trained on). */
  skipFirst: boolean
  /** Where quantile samples' contexts come from: stored in the pass, re-encoded after it, or by memory budget. */
  sampleContexts: 'auto' | 'store' | 'reencode'
}

export interface QuantileExamples {
  lo: number
  hi: number
  count: number
  fraction: number
  examples: ContextExample[]
}

export interface FeatureStats {
  nTokens: number
  dSae: number
  /** Tokens where each feature is active (> 0). */
  activeCounts: Float64Array // [dSae]
  maxActs: Float32Array // [dSae], 0 for features never active
  histogramCounts: Int32Array // [dSae·nBins], bins of histogramBins(options.histogram)
  topExamples: ContextExample[][] // [dSae][≤ topK], best first
  quantiles: QuantileExamples[][] // [dSae][≤ quantiles], lowest interval first
  /** Every nonzero activation, column-compressed (for ground-truth AUROC); null unless collectSparse. */
  sparse: SparseFeatureActs | null
}

export interface FeatureStatsArgs {
  model: HookedModel
  sae: Sae
  hook: HookName
  windows: readonly TokenWindow[]
  options: FeatureStatsOptions
  collectSparse?: boolean
  /** Fraction of this pass done, in [0, 1]. */
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
}

/** Share of progress given to the streaming pass when the quantile samples' windows are re-encoded after it. */
const PASS_SHARE = 0.85

/** 'auto' stores sample contexts when they should fit in this (a browser tab's comfortable share)… */
const SAMPLE_CONTEXT_BUDGET_BYTES = 64 * 2 ** 20
/** …estimating populated bins per feature: activations spanning ~3 decades at 10 bins a decade. */
const POPULATED_BINS_ESTIMATE = 30

export function storesSampleContexts(dSae: number, o: FeatureStatsOptions): boolean {
  if (o.sampleContexts !== 'auto') return o.sampleContexts === 'store'
  const ctxLen = o.contextBefore + 1 + o.contextAfter
  return dSae * POPULATED_BINS_ESTIMATE * o.perQuantile * ctxLen * 4 <= SAMPLE_CONTEXT_BUDGET_BYTES
}

function checkOptions(o: FeatureStatsOptions): void {
  for (const key of ['topK', 'contextBefore', 'contextAfter', 'quantiles', 'perQuantile', 'windowsPerPass'] as const) {
    const v = o[key]
    if (!Number.isInteger(v) || v < (key === 'windowsPerPass' ? 1 : 0)) throw new InvalidArgumentError(`${key} must be a ${key === 'windowsPerPass' ? 'positive' : 'non-negative'} integer, got ${v}`)
  }
  if (!Number.isSafeInteger(o.seed)) throw new InvalidArgumentError(`The seed must be an integer, got ${o.seed}`)
}

export async function computeFeatureStats(args: FeatureStatsArgs): Promise<FeatureStats> {
  const { model, sae, hook, windows, options: o, signal, onProgress } = args
  throwIfAborted(signal)
  checkOptions(o)
  const nTokens = checkAnalysisInputs(model, sae, hook, windows, o.skipFirst)
  const dSae = sae.config.dSae
  const bins = histogramBins(o.histogram)
  const nBins = bins.nBins
  const ctxLen = o.contextBefore + 1 + o.contextAfter
  const start = o.skipFirst ? 1 : 0
  const rng = createRng(o.seed)

  const activeCounts = new Float64Array(dSae)
  const maxActs = new Float32Array(dSae)
  const histogramCounts = new Int32Array(dSae * nBins)
  const heap = new TopExamplesHeap(dSae, o.topK, ctxLen)
  const store = storesSampleContexts(dSae, o)
  const passShare = store ? 1 : PASS_SHARE
  const reservoirs = new BinReservoirs(dSae, nBins, o.perQuantile, store ? ctxLen : 0)
  const sparse = args.collectSparse ? new SparseActsBuilder(dSae) : null
  const winMax = new Float32Array(dSae).fill(-1) // best value of each feature in the current window, −1: none yet
  const winArg = new Int32Array(dSae) // its row in the batch
  const touched = new Int32Array(dSae)

  for (let w0 = 0; w0 < windows.length; w0 += o.windowsPerPass) {
    const batch = windows.slice(w0, w0 + o.windowsPerPass)
    const data = await encodeWindows(model, sae, hook, batch, o.skipFirst) // [rows, dSae]
    sparse?.addRows(data, data.length / dSae)
    let r0 = 0
    for (let b = 0; b < batch.length; b++) {
      const window = w0 + b
      const r1 = r0 + batch[b]!.length - start
      let nTouched = 0
      for (let r = r0; r < r1; r++) {
        const position = start + r - r0
        for (let j = 0, base = r * dSae; j < dSae; j++) {
          const v = data[base + j]!
          if (!(v > 0)) continue
          activeCounts[j]! += 1
          if (v > maxActs[j]!) maxActs[j] = v
          const bin = bins.binOf(v)
          const key = j * nBins + bin
          const row = reservoirs.offer(j, bin, histogramCounts[key]!, v, window, position, rng)
          histogramCounts[key]! += 1
          if (row) for (let c = 0, rr = r - o.contextBefore; c < ctxLen; c++, rr++) row[c] = rr >= r0 && rr < r1 ? data[rr * dSae + j]! : NaN
          if (winMax[j]! < 0) touched[nTouched++] = j
          if (v > winMax[j]!) {
            winMax[j] = v
            winArg[j] = r
          }
        }
      }
      for (let t = 0; t < nTouched; t++) {
        const j = touched[t]!
        const r = winArg[j]!
        const ctx = heap.offer(j, winMax[j]!, window, start + r - r0)
        winMax[j] = -1
        if (!ctx) continue
        for (let c = 0, rr = r - o.contextBefore; c < ctxLen; c++, rr++) ctx[c] = rr >= r0 && rr < r1 ? data[rr * dSae + j]! : NaN
      }
      r0 = r1
    }
    onProgress?.((passShare * Math.min(windows.length, w0 + o.windowsPerPass)) / windows.length)
    await checkpoint(signal)
  }

  const topExamples: ContextExample[][] = Array.from({ length: dSae }, (_, j) => heap.sorted(j).map((e) => exampleFromContext(windows, o, e)))
  const intervals = Array.from({ length: dSae }, (_, j) => reservoirs.intervals(j, histogramCounts, bins, o.quantiles, maxActs[j]!, rng))
  const quantiles = store
    ? samplesFromContexts(windows, intervals, o)
    : await materialiseSamples({ model, sae, hook, windows, intervals, options: o, signal, onProgress: onProgress && ((f) => onProgress(PASS_SHARE + (1 - PASS_SHARE) * f)) })
  onProgress?.(1)
  return { nTokens, dSae, activeCounts, maxActs, histogramCounts, topExamples, quantiles, sparse: sparse?.build() ?? null }
}
