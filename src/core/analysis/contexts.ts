// Token contexts with per-token activations of one feature, and re-encoding the few windows that the quantile
// samples came from so their contexts can be shown (the pass kept only window, position and value for them).
import type { HookedModel } from '../model/hookedModel.ts'
import type { HookName } from '../model/hookNames.ts'
import type { Sae } from '../sae/sae.ts'
import { checkpoint } from './cancel.ts'
import { encodeWindows, type TokenWindow } from './encodeWindows.ts'
import type { FeatureStatsOptions, QuantileExamples } from './featureStats.ts'
import type { QuantileInterval } from './quantileSamples.ts'

/** One example: a token of a window, with a context around it and the feature's activation on every context token. */
export interface ContextExample {
  window: number
  /** Window position of the example's token (BOS at 0). */
  position: number
  /** Window position of the first context token. */
  start: number
  tokenIds: number[]
  values: number[] // [tokenIds.length]
  /** The activation at `position`, as the pass measured it. */
  value: number
}

/** An example from a stored context row: activations at position − before … position + after, NaN outside the window. */
export function exampleFromContext(
  windows: readonly TokenWindow[],
  o: Pick<FeatureStatsOptions, 'contextBefore' | 'contextAfter' | 'skipFirst'>,
  e: { window: number; position: number; value: number; context: Float32Array },
): ContextExample {
  const w = windows[e.window]!
  const lo = Math.max(o.skipFirst ? 1 : 0, e.position - o.contextBefore)
  const hi = Math.min(w.length - 1, e.position + o.contextAfter)
  const values: number[] = []
  for (let p = lo; p <= hi; p++) values.push(e.context[p - e.position + o.contextBefore]!)
  return { window: e.window, position: e.position, start: lo, tokenIds: w.slice(lo, hi + 1), values, value: e.value }
}

interface Need {
  feature: number
  target: ContextExample
}

/** Quantile intervals whose samples carry stored contexts, as examples. */
export function samplesFromContexts(windows: readonly TokenWindow[], intervals: QuantileInterval[][], o: FeatureStatsOptions): QuantileExamples[][] {
  return intervals.map((list) =>
    list.map((q) => ({ lo: q.lo, hi: q.hi, count: q.count, fraction: q.fraction, examples: q.samples.map((s) => exampleFromContext(windows, o, { ...s, context: s.context! })) })),
  )
}

/**
 * Fills the samples' contexts by running their windows again (sorted, in batches). The re-encoded value at the
 * sample's own position equals `value` to float rounding: batches are padded differently from the pass.
 */
export async function materialiseSamples(args: {
  model: HookedModel
  sae: Sae
  hook: HookName
  windows: readonly TokenWindow[]
  intervals: QuantileInterval[][]
  options: FeatureStatsOptions
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
}): Promise<QuantileExamples[][]> {
  const { model, sae, hook, windows, intervals, options: o, signal } = args
  const start = o.skipFirst ? 1 : 0
  const needs = new Map<number, Need[]>()
  const out = intervals.map((list, feature) =>
    list.map((q) => ({
      lo: q.lo,
      hi: q.hi,
      count: q.count,
      fraction: q.fraction,
      examples: q.samples.map((s) => {
        const w = windows[s.window]!
        const lo = Math.max(start, s.position - o.contextBefore)
        const hi = Math.min(w.length - 1, s.position + o.contextAfter)
        const target: ContextExample = { window: s.window, position: s.position, start: lo, tokenIds: w.slice(lo, hi + 1), values: [], value: s.value }
        const list = needs.get(s.window) ?? []
        list.push({ feature, target })
        needs.set(s.window, list)
        return target
      }),
    })),
  )
  const order = [...needs.keys()].sort((a, b) => a - b)
  const dSae = sae.config.dSae
  for (let i = 0; i < order.length; i += o.windowsPerPass) {
    const ids = order.slice(i, i + o.windowsPerPass)
    const data = await encodeWindows(model, sae, hook, ids.map((w) => windows[w]!), o.skipFirst) // [rows, dSae]
    let r0 = 0
    for (const w of ids) {
      for (const { feature, target } of needs.get(w)!) {
        for (let p = target.start; p < target.start + target.tokenIds.length; p++) target.values.push(data[(r0 + p - start) * dSae + feature]!)
      }
      r0 += windows[w]!.length - start
    }
    args.onProgress?.(Math.min(order.length, i + o.windowsPerPass) / order.length)
    await checkpoint(signal)
  }
  return out
}
