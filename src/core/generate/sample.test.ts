import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../errors.ts'
import { createRng } from './rng.ts'
import { argmax, sampleToken, type SampleOptions } from './sample.ts'

const randomLogits = (seed: number, n: number): Float32Array => {
  const rng = createRng(seed)
  return Float32Array.from({ length: n }, () => 3 * rng.nextNormal())
}

/** Draws `n` tokens and returns the observed counts per id. */
function counts(logits: Float32Array, opts: SampleOptions, n: number, seed = 1): number[] {
  const rng = createRng(seed)
  const out = new Array(logits.length).fill(0)
  for (let i = 0; i < n; i++) out[sampleToken(logits, opts, rng)]++
  return out
}

/** Pearson's chi-square of observed counts against expected probabilities (cells with p = 0 must be empty). */
function chiSquare(observed: number[], probs: number[]): number {
  const n = observed.reduce((a, b) => a + b, 0)
  return observed.reduce((acc, o, i) => {
    const p = probs[i] as number
    if (p === 0) {
      expect(o, `token ${i} has probability 0`).toBe(0)
      return acc
    }
    return acc + (o - n * p) ** 2 / (n * p)
  }, 0)
}

const PROBS = [0.5, 0.3, 0.15, 0.05]
const LOGITS = Float32Array.from(PROBS, Math.log)

describe('sampleToken', () => {
  it('is argmax at temperature 0 (first index on ties), whatever the RNG', () => {
    for (let s = 0; s < 20; s++) {
      const logits = randomLogits(s, 100)
      expect(sampleToken(logits, { temperature: 0 }, createRng(s))).toBe(argmax(logits))
    }
    expect(argmax(Float32Array.of(1, 5, 5, 2))).toBe(1)
  })

  it('gives the same sequence for the same seed', () => {
    const logits = randomLogits(3, 500)
    const run = (seed: number) => {
      const rng = createRng(seed)
      return Array.from({ length: 30 }, () => sampleToken(logits, { temperature: 1, topK: 50, topP: 0.95 }, rng))
    }
    expect(run(5)).toEqual(run(5))
    expect(run(5)).not.toEqual(run(6))
  })

  it('is greedy with top-k 1 and with a tiny or zero top-p', () => {
    for (let s = 0; s < 20; s++) {
      const logits = randomLogits(100 + s, 200)
      const best = argmax(logits)
      expect(sampleToken(logits, { temperature: 1.5, topK: 1 }, createRng(s))).toBe(best)
      expect(sampleToken(logits, { temperature: 1.5, topP: 1e-6 }, createRng(s))).toBe(best)
      expect(sampleToken(logits, { temperature: 1.5, topP: 0 }, createRng(s))).toBe(best)
    }
  })

  it('draws from softmax(logits / T) (chi-square, 3 degrees of freedom)', () => {
    const n = 20000
    // 16.27 is the p = 0.001 critical value; a wrong temperature or an off-by-one lands far above it.
    expect(chiSquare(counts(LOGITS, { temperature: 1 }, n), PROBS)).toBeLessThan(16.27)
    const sqrtP = PROBS.map(Math.sqrt)
    const z = sqrtP.reduce((a, b) => a + b, 0)
    expect(chiSquare(counts(LOGITS, { temperature: 2 }, n, 2), sqrtP.map((p) => p / z))).toBeLessThan(16.27)
    // Sanity: the same counts are far from the T = 1 distribution.
    expect(chiSquare(counts(LOGITS, { temperature: 2 }, n, 2), PROBS)).toBeGreaterThan(100)
  })

  it('renormalises over the top-k and top-p sets', () => {
    const n = 20000
    // top-k 2 keeps {0.5, 0.3}; top-p 0.7 keeps the same (0.5 < 0.7 ≤ 0.8); top-p 0.85 adds 0.15.
    const two = [0.5 / 0.8, 0.3 / 0.8, 0, 0]
    expect(chiSquare(counts(LOGITS, { temperature: 1, topK: 2 }, n), two)).toBeLessThan(10.83) // 1 dof
    expect(chiSquare(counts(LOGITS, { temperature: 1, topP: 0.7 }, n), two)).toBeLessThan(10.83)
    expect(chiSquare(counts(LOGITS, { temperature: 1, topP: 0.85 }, n), [0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0])).toBeLessThan(13.82) // 2 dof
  })

  it('never picks a -Infinity logit and rejects bad options and logits', () => {
    const masked = Float32Array.of(-Infinity, 0, -Infinity, 0)
    expect(counts(masked, { temperature: 1 }, 2000).filter((c, i) => i % 2 === 0 && c > 0)).toEqual([])
    const rng = createRng(0)
    for (const opts of [
      { temperature: -1 },
      { temperature: Number.NaN },
      { temperature: Infinity },
      { temperature: 1, topK: -1 },
      { temperature: 1, topK: 1.5 },
      { temperature: 1, topP: 1.5 },
      { temperature: 1, topP: -0.1 },
    ]) {
      expect(() => sampleToken(LOGITS, opts, rng), JSON.stringify(opts)).toThrow(InvalidArgumentError)
    }
    expect(() => sampleToken(new Float32Array(0), { temperature: 1 }, rng)).toThrow(/empty/)
    expect(() => sampleToken(Float32Array.of(1, Number.NaN), { temperature: 1 }, rng)).toThrow(/NaN/)
    expect(() => sampleToken(Float32Array.of(-Infinity), { temperature: 1 }, rng)).toThrow(/-Infinity/)
  })
})
