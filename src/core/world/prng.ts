// The world's own seeded random numbers: sfc32 seeded through SplitMix32.
// Hand-written, and kept apart from src/core/generate/rng.ts on purpose: TinyWorld's text is a committed artefact
// (the default model is trained on it and evaluated on world-sample output), so its stream must stay bit-identical
// in Node and every browser forever, whatever happens to the sampling RNG. sfc32 is four 32-bit words of state
// (period ≥ 2^32, in practice ~2^127), fast in plain integer arithmetic, and passes PractRand far beyond our needs.
import { InvalidArgumentError } from '../errors.ts'

export interface WorldRng {
  /** Uniform in [0, 1) with 32 random bits (enough for weighted choices among at most a few thousand options). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
}

function splitMix32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) | 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** Any safe integer is a seed; seeds past 2^32 fold their high word in rather than being truncated. */
export function createWorldRng(seed: number): WorldRng {
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`World seed must be an integer, got ${seed}`)
  const init = splitMix32((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) | 0, 0x27d4eb2f))
  let a = init()
  let b = init()
  let c = init()
  let d = init()
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 12; i++) nextUint32() // let the seed words mix before the first draw
  const next = () => nextUint32() / 4294967296
  return { next, int: (n: number) => Math.floor(next() * n) }
}

/** FNV-1a over a string: a stable 32-bit hash used to derive invented words from lexeme keys. */
export function hashString(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
