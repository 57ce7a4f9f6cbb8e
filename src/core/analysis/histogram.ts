// Log-spaced activation histogram bins shared by every feature, so the streaming pass needs no per-feature range.
import { InvalidArgumentError } from '../errors.ts'

export interface HistogramSpec {
  /** Lower edge of the first log bin; positive values below it land in an underflow bin (0, min). */
  min: number
  /** Upper edge of the last log bin; values at or above it land in an overflow bin [max, ∞). */
  max: number
  binsPerDecade: number
}

/**
 * 10⁻⁴ … 10⁴ covers decoder-norm-scaled activations of TinyWorld SAEs (≈0.01–30) and of GPT-2 residual SAEs
 * (up to a few hundred) with room on both sides; 10 bins a decade (×1.26 per bin) is the resolution of the
 * quantile intervals, which are cut at bin edges.
 */
export const DEFAULT_HISTOGRAM: HistogramSpec = Object.freeze({ min: 1e-4, max: 1e4, binsPerDecade: 10 })

export interface HistogramBins {
  readonly spec: HistogramSpec
  /** Underflow + log bins + overflow. */
  readonly nBins: number
  /** Bin of a positive activation. */
  binOf(v: number): number
  lowerEdge(bin: number): number // 0 for the underflow bin
  upperEdge(bin: number): number // Infinity for the overflow bin
}

export function histogramBins(spec: HistogramSpec): HistogramBins {
  const { min, max, binsPerDecade } = spec
  if (!(min > 0 && max > min && Number.isFinite(max))) throw new InvalidArgumentError(`Histogram range must satisfy 0 < min < max < ∞, got [${min}, ${max}]`)
  if (!(Number.isInteger(binsPerDecade) && binsPerDecade >= 1)) throw new InvalidArgumentError(`binsPerDecade must be a positive integer, got ${binsPerDecade}`)
  const inner = Math.max(1, Math.round(Math.log10(max / min) * binsPerDecade))
  const nBins = inner + 2
  const logMin = Math.log10(min)
  return {
    spec,
    nBins,
    binOf(v) {
      if (v < min) return 0
      if (v >= max) return nBins - 1
      const b = 1 + Math.floor((Math.log10(v) - logMin) * binsPerDecade)
      return b < 1 ? 1 : b > inner ? inner : b
    },
    lowerEdge: (bin) => (bin <= 0 ? 0 : bin >= nBins - 1 ? max : min * 10 ** ((bin - 1) / binsPerDecade)),
    upperEdge: (bin) => (bin <= 0 ? min : bin >= nBins - 1 ? Infinity : bin === inner ? max : min * 10 ** (bin / binsPerDecade)),
  }
}
