// Many seeded generations of one prompt in one batch: what concept-rate measurements need (50 samples per
// setting), at a fraction of the cost of 50 separate runs. Row i samples exactly as generate() with seeds[i] does.
import { InvalidArgumentError } from '../errors.ts'
import { createRng } from '../generate/rng.ts'
import { sampleToken, validateSampleOptions, type SampleOptions } from '../generate/sample.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { Hooks } from '../model/hooks.ts'

export interface BatchGenerateOptions {
  /** One generation per seed. */
  seeds: readonly number[]
  maxTokens: number
  sampling: SampleOptions
  hooks?: Hooks
  /** A row ends after yielding one of these (as generate() does); it keeps its slot in the batch, fed padding. */
  stopTokenIds?: readonly number[]
  shouldStop?: () => boolean
}

/**
 * Generated ids per seed (a stop token included when one ended the row). Rows share every forward pass, so the
 * logits can differ from a batch-1 run by float rounding (batched matmuls sum in another order); sampling itself
 * is per-row and seeded exactly like generate(), so tokens agree unless two logits are within rounding of a tie.
 */
export async function generateBatch(model: HookedModel, promptIds: readonly number[], opts: BatchGenerateOptions): Promise<number[][]> {
  const { seeds, maxTokens, hooks } = opts
  if (seeds.length === 0) throw new InvalidArgumentError('generateBatch needs at least one seed')
  if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new InvalidArgumentError(`maxTokens must be an integer ≥ 0, got ${maxTokens}`)
  if (promptIds.length === 0) throw new InvalidArgumentError('The prompt needs at least one token')
  const { nCtx, vocabSize } = model.config
  if (promptIds.length > nCtx) throw new InvalidArgumentError(`The prompt has ${promptIds.length} tokens; the model's context holds ${nCtx}`)
  validateSampleOptions(opts.sampling)
  const stops = new Set(opts.stopTokenIds ?? [])
  const rngs = seeds.map((s) => createRng(s))
  const out: number[][] = seeds.map(() => [])
  const done = seeds.map(() => false)
  const kv = model.newKvCache(seeds.length)
  try {
    let input: number[][] = seeds.map(() => [...promptIds])
    for (let step = 0; step < maxTokens && !done.every(Boolean); step++) {
      if (opts.shouldStop?.()) break
      if (kv.length + input[0]!.length > nCtx) break
      const logits = await model.forward(input, { kvCache: kv, logitsAt: 'last', ...(hooks ? { hooks } : {}) }) // [batch, 1, vocab]
      let all: Float32Array
      try {
        all = (await logits.data()) as Float32Array
      } finally {
        logits.dispose()
      }
      input = seeds.map((_, i) => {
        if (done[i]) return [out[i]![out[i]!.length - 1] ?? promptIds[0]!] // padding: the row's output is final
        const id = sampleToken(all.subarray(i * vocabSize, (i + 1) * vocabSize), opts.sampling, rngs[i]!)
        out[i]!.push(id)
        if (stops.has(id)) done[i] = true
        return [id]
      })
    }
  } finally {
    kv.dispose()
  }
  return out
}
