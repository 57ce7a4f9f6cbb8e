// Seeded pseudo-random numbers for sampling and for seeded test weights.
// Hand-written on purpose: Math.random cannot be seeded, and tf.random* differs between backends and
// makes tensors; a few lines of integer arithmetic give the same stream on every backend, in Node and in
// every browser, with no dependency. Quality needs are modest (choosing tokens, initialising weights).
import { InvalidArgumentError } from '../errors.ts'

export interface Rng {
  /** Uniform in [0, 1) with 53 random bits. */
  next(): number
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number
  /** Standard normal (Box–Muller). */
  nextNormal(): number
}

/** SplitMix32 finaliser: spreads nearby seeds (0, 1, 2, …) to unrelated states. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad)
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97)
  return (x ^ (x >>> 15)) >>> 0
}

/**
 * A mulberry32 generator (32-bit state, period 2^32: ample for choosing tokens and drawing test weights,
 * not for cryptography) seeded through a SplitMix32 finaliser. Any safe integer is a valid seed; seeds
 * above 2^32 are folded in, not truncated.
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`Seed must be an integer, got ${seed}`)
  const hi = Math.floor(seed / 2 ** 32)
  let state = mix32((seed >>> 0) ^ mix32(hi >>> 0))
  let spareNormal: number | null = null

  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) | 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  const next = (): number => {
    const a = nextUint32() >>> 5 // 27 bits
    const b = nextUint32() >>> 6 // 26 bits
    return (a * 67108864 + b) / 9007199254740992
  }
  const nextNormal = (): number => {
    if (spareNormal !== null) {
      const z = spareNormal
      spareNormal = null
      return z
    }
    const u = 1 - next() // (0, 1]: log(u) is finite
    const v = next()
    const r = Math.sqrt(-2 * Math.log(u))
    spareNormal = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }
  return { next, nextUint32, nextNormal }
}
