// Features against neurons ("Scaling Monosemanticity", §"Features vs. neurons"): for every SAE feature, the MLP
// neuron whose activation correlates best with it over a token stream, by a streaming Pearson correlation.
import { InvalidArgumentError } from '../errors.ts'
import { median } from './median.ts'

/** Where a neuron sits: its block and its index within that block's mlp.hook_post. */
export interface NeuronRef {
  layer: number
  index: number
}

/** The neurons correlated against, concatenated layer by layer ([n_neurons] = Σ widths). */
export interface NeuronLayout {
  layers: readonly number[]
  widths: readonly number[]
}

export interface BestNeuron extends NeuronRef {
  /** Pearson r (signed): the most positively correlated neuron, as the paper's "most-correlated neuron". */
  r: number
}

export const neuronCount = (layout: NeuronLayout): number => layout.widths.reduce((a, b) => a + b, 0)

/** The neuron at a flat index of the concatenated layout. */
export function neuronAt(layout: NeuronLayout, flat: number): NeuronRef {
  let offset = flat
  for (const [k, width] of layout.widths.entries()) {
    if (offset < width) return { layer: layout.layers[k]!, index: offset }
    offset -= width
  }
  throw new InvalidArgumentError(`Neuron ${flat} is outside a layout of ${neuronCount(layout)} neurons`)
}

/**
 * Σx, Σx², Σy, Σy² and Σxy between dFeatures features and nNeurons neurons, added batch by batch, all in float64.
 *
 * The cross term skips zero feature activations: SAE features (and the sparsity-matched baseline) fire on a few
 * tokens in a thousand, so Σxy costs rows·L0·nNeurons multiply-adds rather than the rows·dSae·nNeurons of a dense
 * [dSae, rows]×[rows, nNeurons] matMul. Measured here (tfjs WASM in Node, 2 shared cores), that dense float32
 * matMul took 61–77 s per 2,040-row batch at d_sae 4,096 and 1,536 neurons; the sparse sum is a second or two, and
 * being float64 from the start it has no float32 partial sums to lose digits in. The skip is exact for any values
 * (a zero adds nothing), so dense features are right too, only slower.
 *
 * Raw moments lose digits to cancellation only when a mean dwarfs its spread by ~10⁸ in float64, far from
 * activations' scale, so no shifted (Welford) update is needed.
 */
export class FeatureNeuronCorrelation {
  readonly nNeurons: number
  private rows = 0
  private readonly sx: Float64Array
  private readonly sxx: Float64Array
  private readonly fires: Float64Array
  private readonly sy: Float64Array
  private readonly syy: Float64Array
  private readonly sxy: Float64Array // [dFeatures, nNeurons]

  constructor(
    readonly dFeatures: number,
    readonly layout: NeuronLayout,
  ) {
    this.nNeurons = neuronCount(layout)
    if (!(dFeatures >= 1 && this.nNeurons >= 1)) throw new InvalidArgumentError(`Correlation needs features and neurons, got ${dFeatures} and ${this.nNeurons}`)
    this.sx = new Float64Array(dFeatures)
    this.sxx = new Float64Array(dFeatures)
    this.fires = new Float64Array(dFeatures)
    this.sy = new Float64Array(this.nNeurons)
    this.syy = new Float64Array(this.nNeurons)
    this.sxy = new Float64Array(dFeatures * this.nNeurons)
  }

  /** Adds `rows` tokens: features [rows, dFeatures] and neurons [rows, nNeurons], row-major. */
  add(features: Float32Array, neurons: Float32Array, rows: number): void {
    const { dFeatures: dF, nNeurons: nN } = this
    if (features.length !== rows * dF || neurons.length !== rows * nN) {
      throw new InvalidArgumentError(`Expected ${rows}×${dF} features and ${rows}×${nN} neurons, got ${features.length} and ${neurons.length} values`)
    }
    for (let t = 0; t < rows; t++) {
      const yOff = t * nN
      for (let j = 0; j < nN; j++) {
        const y = neurons[yOff + j]!
        this.sy[j]! += y
        this.syy[j]! += y * y
      }
      const xOff = t * dF
      for (let i = 0; i < dF; i++) {
        const x = features[xOff + i]!
        if (x === 0) continue
        this.sx[i]! += x
        this.sxx[i]! += x * x
        this.fires[i]! += 1
        const base = i * nN
        for (let j = 0; j < nN; j++) this.sxy[base + j]! += x * neurons[yOff + j]!
      }
    }
    this.rows += rows
  }

  get tokens(): number {
    return this.rows
  }

  /** How many tokens each feature was non-zero on. */
  fireCounts(): Float64Array {
    return this.fires.slice()
  }

  /** Pearson r of one feature with every neuron; NaN where either side is constant. */
  correlations(feature: number): Float64Array {
    const n = this.rows
    const nN = this.nNeurons
    const out = new Float64Array(nN)
    const mx = this.sx[feature]! / n
    const vx = this.sxx[feature]! / n - mx * mx
    for (let j = 0; j < nN; j++) {
      const my = this.sy[j]! / n
      const vy = this.syy[j]! / n - my * my
      const cov = this.sxy[feature * nN + j]! / n - mx * my
      // A variance at rounding level is a constant: r would be noise divided by noise.
      out[j] = vx > 1e-12 * (mx * mx + 1e-30) && vy > 1e-12 * (my * my + 1e-30) ? cov / Math.sqrt(vx * vy) : NaN
    }
    return out
  }

  /** Per feature, its most-correlated neuron and r; null for a feature that never fired or is constant. */
  best(): (BestNeuron | null)[] {
    if (this.rows < 2) throw new InvalidArgumentError(`Correlation needs at least 2 tokens, got ${this.rows}`)
    return Array.from({ length: this.dFeatures }, (_, i) => {
      if (this.fires[i] === 0) return null
      const r = this.correlations(i)
      let bestJ = -1
      for (let j = 0; j < r.length; j++) if (!Number.isNaN(r[j]!) && (bestJ < 0 || r[j]! > r[bestJ]!)) bestJ = j
      if (bestJ < 0) return null
      return { ...neuronAt(this.layout, bestJ), r: Math.max(-1, Math.min(1, r[bestJ]!)) }
    })
  }
}

/** The histogram of best correlations in bins of 0.1 over [−1, 1] and the share at or below 0.3 (the paper's cut). */
export interface BestCorrelationSummary {
  features: number
  /** Features with a best neuron (fired and not constant). */
  evaluated: number
  /** Left edges −1.0, −0.9, …, 0.9; the last bin holds r = 1. */
  edges: number[]
  counts: number[]
  /** Share of evaluated features whose best r ≤ 0.3. */
  fractionAtMost03: number | null
  medianR: number | null
}

export const PAPER_CUT = 0.3

export function summarizeBest(best: readonly (BestNeuron | null)[]): BestCorrelationSummary {
  const rs = best.flatMap((b) => (b === null ? [] : [b.r])).sort((a, b) => a - b)
  const edges = Array.from({ length: 20 }, (_, k) => Math.round((k - 10)) / 10)
  const counts = new Array<number>(20).fill(0)
  for (const r of rs) counts[Math.min(19, Math.max(0, Math.floor((r + 1) * 10 + 1e-9)))]! += 1
  return {
    features: best.length,
    evaluated: rs.length,
    edges,
    counts,
    fractionAtMost03: rs.length === 0 ? null : rs.filter((r) => r <= PAPER_CUT + 1e-12).length / rs.length,
    medianR: median(rs),
  }
}
