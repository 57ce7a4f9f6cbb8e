// Seeded uniform samples of each feature's activating tokens per activation-quantile interval, in one pass:
// reservoirs per (feature, histogram bin), whose boundaries are known in advance, merged at the end into
// quantile intervals cut at bin edges (quantile boundaries are only known once the pass is over).
import { InvalidArgumentError } from '../errors.ts'
import type { Rng } from '../generate/rng.ts'
import type { HistogramBins } from './histogram.ts'

export interface SampledToken {
  value: number
  window: number
  position: number
  /** Activations at position − before … position + after (NaN outside the window), when the reservoirs keep contexts. */
  context: Float32Array | null
}

export interface QuantileInterval {
  /** Activations in [lo, hi); lo is exclusive 0 for the lowest bin, hi the feature's max (inclusive) for the top. */
  lo: number
  hi: number
  /** Active tokens in the interval, and their fraction of the feature's active tokens. */
  count: number
  fraction: number
  /** Uniform without replacement from the interval's tokens, highest value first. */
  samples: SampledToken[]
}

/**
 * Reservoir (Algorithm R) of `capacity` tokens per non-empty (feature, bin), stored in pooled typed arrays, with
 * each token's context activations when contextLength > 0 (the caller fills the row that offer returns).
 */
export class BinReservoirs {
  readonly capacity: number
  readonly contextLength: number
  private readonly nBins: number
  private readonly slot: Int32Array // [nFeatures·nBins]: first pool index of the reservoir, −1 while empty
  private window = new Int32Array(0)
  private position = new Int32Array(0)
  private value = new Float32Array(0)
  private context = new Float32Array(0)
  private used = 0

  constructor(nFeatures: number, nBins: number, capacity: number, contextLength = 0) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new InvalidArgumentError(`Samples per quantile must be a non-negative integer, got ${capacity}`)
    this.capacity = capacity
    this.contextLength = contextLength
    this.nBins = nBins
    this.slot = new Int32Array(capacity === 0 ? 0 : nFeatures * nBins).fill(-1)
  }

  /**
   * Offers the `seen`-th token (0-based) of feature j's bin; `rng` is drawn only once the reservoir is full. Returns
   * the context row to fill when the token entered and contexts are kept, else null.
   */
  offer(j: number, bin: number, seen: number, value: number, window: number, position: number, rng: Rng): Float32Array | null {
    const R = this.capacity
    if (R === 0) return null
    const key = j * this.nBins + bin
    let at: number
    if (seen < R) {
      if (seen === 0) this.slot[key] = this.allocate()
      at = this.slot[key]! + seen
    } else {
      const r = Math.floor(rng.next() * (seen + 1))
      if (r >= R) return null
      at = this.slot[key]! + r
    }
    this.value[at] = value
    this.window[at] = window
    this.position[at] = position
    const L = this.contextLength
    return L > 0 ? this.context.subarray(at * L, (at + 1) * L) : null
  }

  /**
   * Feature j's quantile intervals: bins are grouped by the quantile their first token falls in, so an interval
   * is the union of whole bins (several quantiles may share one heavy bin: they become one interval). Each
   * interval draws min(capacity, count) tokens without replacement, picking a bin with probability proportional
   * to its unpicked tokens and then an unpicked token of its reservoir — exactly uniform over the interval,
   * because each reservoir is a uniform subset of its bin and never more than `capacity` come from one bin.
   */
  intervals(j: number, counts: Int32Array, bins: HistogramBins, nQuantiles: number, maxValue: number, rng: Rng): QuantileInterval[] {
    const nBins = this.nBins
    const hist = counts.subarray(j * nBins, (j + 1) * nBins)
    let total = 0
    for (let b = 0; b < nBins; b++) total += hist[b]!
    if (total === 0 || nQuantiles < 1) return []
    const groups: number[][] = []
    let lastGroup = -1
    let before = 0
    for (let b = 0; b < nBins; b++) {
      if (hist[b] === 0) continue
      const g = Math.min(nQuantiles - 1, Math.floor((before * nQuantiles) / total))
      if (g !== lastGroup) groups.push([])
      groups[groups.length - 1]!.push(b)
      lastGroup = g
      before += hist[b]!
    }
    return groups.map((group) => {
      const count = group.reduce((s, b) => s + hist[b]!, 0)
      const first = group[0]!
      const last = group[group.length - 1]!
      return {
        lo: bins.lowerEdge(first),
        hi: last === nBins - 1 ? maxValue : Math.min(bins.upperEdge(last), maxValue),
        count,
        fraction: count / total,
        samples: this.draw(j, group, hist, rng),
      }
    })
  }

  private draw(j: number, group: number[], hist: Int32Array, rng: Rng): SampledToken[] {
    const R = this.capacity
    if (R === 0) return []
    const remaining = group.map((b) => hist[b]!) // unpicked tokens per bin
    const pool = group.map((b) => {
      const start = this.slot[j * this.nBins + b]!
      return Array.from({ length: Math.min(R, hist[b]!) }, (_, i) => start + i) // unpicked reservoir entries
    })
    let left = remaining.reduce((a, c) => a + c, 0)
    const out: SampledToken[] = []
    for (let n = Math.min(R, left); n > 0; n--) {
      let u = Math.floor(rng.next() * left)
      let g = 0
      while (u >= remaining[g]!) u -= remaining[g++]!
      const entries = pool[g]!
      const pick = Math.floor(rng.next() * entries.length)
      const at = entries[pick]!
      entries[pick] = entries[entries.length - 1]!
      entries.pop()
      remaining[g]! -= 1
      left -= 1
      const L = this.contextLength
      out.push({ value: this.value[at]!, window: this.window[at]!, position: this.position[at]!, context: L > 0 ? this.context.slice(at * L, (at + 1) * L) : null })
    }
    return out.sort((a, b) => b.value - a.value || a.window - b.window || a.position - b.position)
  }

  private allocate(): number {
    const R = this.capacity
    if (this.used + R > this.value.length) {
      const size = Math.max(1024 * R, this.value.length * 2)
      const grow = <T extends Int32Array | Float32Array>(a: T, b: T): T => {
        b.set(a)
        return b
      }
      this.window = grow(this.window, new Int32Array(size))
      this.position = grow(this.position, new Int32Array(size))
      this.value = grow(this.value, new Float32Array(size))
      if (this.contextLength > 0) this.context = grow(this.context, new Float32Array(size * this.contextLength))
    }
    const at = this.used
    this.used += R
    return at
  }
}
