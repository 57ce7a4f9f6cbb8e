// Choosing the next token from one position's logits: greedy, temperature, top-k and top-p (nucleus).
// Plain JS in Float64 on a Float32Array, so the same seed picks the same token on every backend.
import { InvalidArgumentError } from '../errors.ts'
import type { Rng } from './rng.ts'

export interface SampleOptions {
  /** 0 = greedy (argmax); otherwise logits are divided by it before the softmax. */
  temperature: number
  /** Keep only the k most likely tokens (ties with the k-th are kept, as in Hugging Face); 0 = off. */
  topK?: number
  /** Keep the smallest most-likely set whose probability reaches p; 1 = off, 0 = the top token only. */
  topP?: number
}

export function validateSampleOptions(opts: SampleOptions): void {
  const { temperature, topK = 0, topP = 1 } = opts
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw new InvalidArgumentError(`temperature must be a finite number ≥ 0, got ${String(temperature)}`)
  }
  if (!Number.isInteger(topK) || topK < 0) throw new InvalidArgumentError(`topK must be an integer ≥ 0 (0 = off), got ${String(topK)}`)
  if (typeof topP !== 'number' || !(topP >= 0 && topP <= 1)) throw new InvalidArgumentError(`topP must be in [0, 1] (1 = off), got ${String(topP)}`)
}

/** Index of the largest logit; the first one on ties. */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0
  let bestValue = -Infinity
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i] as number
    if (v > bestValue) {
      bestValue = v
      best = i
    }
  }
  return best
}

function checkLogits(logits: Float32Array): void {
  if (logits.length === 0) throw new InvalidArgumentError('Cannot sample from an empty logits vector')
  let anyFinite = false
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i] as number
    if (Number.isNaN(v)) throw new InvalidArgumentError(`Logits contain NaN (at index ${i})`)
    if (v !== -Infinity) anyFinite = true
  }
  if (!anyFinite) throw new InvalidArgumentError('Every logit is -Infinity: nothing can be sampled')
}

/** Token ids whose logit is at least the k-th largest (all ids when k is 0 or ≥ the vocabulary). */
function topKCandidates(logits: Float32Array, k: number): number[] {
  const n = logits.length
  if (k === 0 || k >= n) return Array.from({ length: n }, (_, i) => i)
  const sorted = Float32Array.from(logits).sort() // ascending; native numeric sort
  const threshold = sorted[n - k] as number
  const out: number[] = []
  for (let i = 0; i < n; i++) if ((logits[i] as number) >= threshold) out.push(i)
  return out
}

/**
 * Samples one token id. The same logits, options and RNG state give the same id everywhere.
 * Consumes exactly one `rng.next()` unless sampling is greedy (temperature 0, topK 1), which consumes none.
 */
export function sampleToken(logits: Float32Array, opts: SampleOptions, rng: Rng): number {
  validateSampleOptions(opts)
  checkLogits(logits)
  const { temperature, topK = 0, topP = 1 } = opts
  if (temperature === 0 || topK === 1) return argmax(logits)
  const maxLogit = logits[argmax(logits)] as number
  if (maxLogit === Infinity) return argmax(logits)

  let ids = topKCandidates(logits, topK)
  let weights = ids.map((i) => Math.exp(((logits[i] as number) - maxLogit) / temperature)) // unnormalised, max 1
  let total = weights.reduce((a, b) => a + b, 0)

  if (topP < 1) {
    const order = ids.map((_, j) => j).sort((a, b) => (weights[b] as number) - (weights[a] as number) || (ids[a] as number) - (ids[b] as number))
    const keptIds: number[] = []
    const keptWeights: number[] = []
    let cumulative = 0
    for (const j of order) {
      keptIds.push(ids[j] as number)
      keptWeights.push(weights[j] as number)
      cumulative += weights[j] as number
      if (cumulative >= topP * total) break
    }
    ids = keptIds
    weights = keptWeights
    total = cumulative
  }

  let u = rng.next() * total
  for (let j = 0; j < ids.length; j++) {
    u -= weights[j] as number
    if (u < 0) return ids[j] as number
  }
  return ids[ids.length - 1] as number // rounding left u a hair above 0
}
