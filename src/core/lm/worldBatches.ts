// Training batches from TinyWorld, each a pure function of (seed, step): resuming from a checkpoint needs no
// data cursor, and a rerun with the same seed sees exactly the same tokens.
import { createWorldStream } from '../world/generator.ts'

/** Derives a distinct 32-bit stream seed per (seed, step, row), so rows never share documents by accident. */
function rowSeed(seed: number, step: number, row: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35) ^ Math.imul(row + 7, 0x27d4eb2f)
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d)
  return (h ^ (h >>> 13)) >>> 0
}

/** [batchSize][seqLen + 1] token ids: windows of the flat stream `<|endoftext|> doc <|endoftext|> doc …`. */
export function worldTrainBatch(seed: number, step: number, batchSize: number, seqLen: number): number[][] {
  const rows: number[][] = []
  for (let r = 0; r < batchSize; r++) {
    const stream = createWorldStream(rowSeed(seed, step, r), { labels: false })
    rows.push(Array.from(stream.takeTokens(seqLen + 1).ids))
  }
  return rows
}
