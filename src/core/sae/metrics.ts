// SAE quality metrics: L0, MSE, fraction of variance unexplained, feature density (dead, dense, log-density
// histogram) and CE loss recovered from three cross-entropies (the splicing itself belongs to the engine).
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'

/** Mean number of nonzero latents per input, for f [..., dSae]. */
export function l0(f: tf.Tensor): number {
  const t = tf.tidy(() => tf.div(tf.sum(tf.step(tf.abs(f))), f.size / f.shape[f.rank - 1]!))
  const v = t.dataSync()[0]!
  t.dispose()
  return v
}

export interface ReconstructionMetrics {
  /** Mean squared error per element (SAELens's eval "mse"). */
  mse: number
  /** ‖x − x̂‖² summed over d_in, mean over inputs (the training loss's MSE term). */
  msePerInput: number
  /** Σ‖x − x̂‖² / Σ‖x − x̄‖², x̄ the mean input. */
  fvu: number
  /** 1 − fvu. */
  varianceExplained: number
}

/** Sums for reconstruction metrics over one batch, so that many batches can be pooled exactly. */
export interface ReconstructionSums {
  inputs: number
  elements: number
  sse: number
  /** Σx and Σx² per dimension, to form Σ‖x − x̄‖² at the end. */
  sumX: Float64Array
  sumX2: number
}

export function reconstructionSums(x: tf.Tensor, xHat: tf.Tensor): ReconstructionSums {
  if (x.shape.join() !== xHat.shape.join()) throw new InvalidArgumentError(`x [${x.shape}] and x̂ [${xHat.shape}] must have one shape`)
  const d = x.shape[x.rank - 1]!
  const [sse, sumX, sumX2] = tf.tidy(() => {
    const rows = tf.reshape(x, [-1, d])
    return [tf.sum(tf.square(tf.sub(x, xHat))), tf.sum(rows, 0), tf.sum(tf.square(rows))]
  })
  const out = {
    inputs: x.size / d,
    elements: x.size,
    sse: sse!.dataSync()[0]!,
    sumX: Float64Array.from(sumX!.dataSync()),
    sumX2: sumX2!.dataSync()[0]!,
  }
  tf.dispose([sse!, sumX!, sumX2!])
  return out
}

export function addReconstructionSums(a: ReconstructionSums, b: ReconstructionSums): ReconstructionSums {
  return {
    inputs: a.inputs + b.inputs,
    elements: a.elements + b.elements,
    sse: a.sse + b.sse,
    sumX: a.sumX.map((v, i) => v + b.sumX[i]!),
    sumX2: a.sumX2 + b.sumX2,
  }
}

export function reconstructionMetrics(s: ReconstructionSums): ReconstructionMetrics {
  let meanSq = 0
  for (const v of s.sumX) meanSq += v * v
  const sst = s.sumX2 - meanSq / s.inputs // Σ‖x − x̄‖² = Σ‖x‖² − n‖x̄‖²
  const fvu = sst > 0 ? s.sse / sst : NaN
  return { mse: s.sse / s.elements, msePerInput: s.sse / s.inputs, fvu, varianceExplained: 1 - fvu }
}

/** Reconstruction metrics of one batch. */
export function reconstructionMetricsOf(x: tf.Tensor, xHat: tf.Tensor): ReconstructionMetrics {
  return reconstructionMetrics(reconstructionSums(x, xHat))
}

/** How many inputs each latent fires on, for f [..., dSae] → Float64Array [dSae]. Add over batches. Read asynchronously (the training path: see trainer.ts). */
export async function fireCounts(f: tf.Tensor): Promise<Float64Array> {
  const dSae = f.shape[f.rank - 1]!
  const t = tf.tidy(() => tf.sum(tf.step(tf.reshape(f, [-1, dSae])), 0))
  try {
    return Float64Array.from(await t.data())
  } finally {
    t.dispose()
  }
}

/** Fraction of tokens each latent fires on. */
export function featureDensity(counts: ArrayLike<number>, tokens: number): Float64Array {
  if (!(tokens > 0)) throw new InvalidArgumentError(`tokens must be positive, got ${tokens}`)
  return Float64Array.from(counts, (c) => c / tokens)
}

/** Latents that never fired in the sample. */
export function deadFraction(density: ArrayLike<number>): number {
  let dead = 0
  for (let i = 0; i < density.length; i++) if (density[i] === 0) dead++
  return density.length ? dead / density.length : 0
}

/** Latents firing on more than `threshold` of tokens (default 0.1, as the trainer's logs). */
export function denseFraction(density: ArrayLike<number>, threshold = 0.1): number {
  let dense = 0
  for (let i = 0; i < density.length; i++) if (density[i]! > threshold) dense++
  return density.length ? dense / density.length : 0
}

/** log10 density per latent as SAELens's sparsity.safetensors stores it: log10(density + 1e-10). */
export function logSparsity(density: ArrayLike<number>): Float32Array {
  return Float32Array.from(density as ArrayLike<number>, (d) => Math.log10(d + 1e-10))
}

export interface LogDensityHistogram {
  /** bins + 1 edges in log10 density. */
  edges: number[]
  counts: number[]
  /** Latents with density 0 (not in any bin). */
  dead: number
}

/** Histogram of log10 density of the live latents over [min, max] (defaults −8 … 0, as Anthropic's plots). */
export function logDensityHistogram(density: ArrayLike<number>, opts: { bins?: number; min?: number; max?: number } = {}): LogDensityHistogram {
  const bins = opts.bins ?? 40
  const min = opts.min ?? -8
  const max = opts.max ?? 0
  if (!Number.isInteger(bins) || bins < 1 || !(max > min)) throw new InvalidArgumentError('A histogram needs bins ≥ 1 and max > min')
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + ((max - min) * i) / bins)
  const counts = new Array<number>(bins).fill(0)
  let dead = 0
  for (let i = 0; i < density.length; i++) {
    const d = density[i]!
    if (d <= 0) {
      dead++
      continue
    }
    const bin = Math.floor(((Math.log10(d) - min) / (max - min)) * bins)
    counts[Math.min(bins - 1, Math.max(0, bin))]! += 1 // clamp: out-of-range densities land in the end bins
  }
  return { edges, counts, dead }
}

/**
 * CE loss recovered = (CE_zero-ablated − CE_spliced) / (CE_zero-ablated − CE_clean): 1 when splicing the SAE in
 * costs nothing, 0 when it is as bad as zeroing the activation.
 */
export function ceLossRecovered(ce: { clean: number; spliced: number; zeroAblated: number }): number {
  for (const [name, v] of Object.entries(ce)) if (!Number.isFinite(v)) throw new InvalidArgumentError(`CE ${name} must be finite, got ${v}`)
  const gap = ce.zeroAblated - ce.clean
  if (gap === 0) throw new InvalidArgumentError('CE loss recovered is undefined when zero-ablation does not change the loss')
  return (ce.zeroAblated - ce.spliced) / gap
}
