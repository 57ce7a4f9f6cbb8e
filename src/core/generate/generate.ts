// Autoregressive generation through the KV cache: each step runs only the new token, with the caller's
// hooks applied at every new position (steering), seeded sampling, stop tokens and an AbortSignal.
import { InvalidArgumentError } from '../errors.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { Hooks } from '../model/hooks.ts'
import { createRng } from './rng.ts'
import { sampleToken, validateSampleOptions } from './sample.ts'

export interface GenerateOptions {
  /** Most tokens to yield; fewer when a stop token comes, the signal aborts, or the context fills. */
  maxTokens: number
  /** 0 = greedy. */
  temperature: number
  /** 0 (default) = off. */
  topK?: number
  /** 1 (default) = off. */
  topP?: number
  /** The same seed, prompt, model and backend give the same tokens. */
  seed: number
  /** Applied on the prompt pass and again on every generated position. */
  hooks?: Hooks
  /** Aborting ends the stream quietly after the current step. */
  signal?: AbortSignal
  /** A stop token is yielded, then generation ends (as Hugging Face's generate does). */
  stopTokenIds?: number[]
}

/**
 * Yields generated token ids one at a time. The prompt is processed once; every later step feeds one token
 * through the KV cache. Breaking out of the loop frees the cache.
 */
export async function* generate(model: HookedModel, promptIds: number[], opts: GenerateOptions): AsyncGenerator<number, void, undefined> {
  const { maxTokens, hooks, signal } = opts
  if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new InvalidArgumentError(`maxTokens must be an integer ≥ 0, got ${maxTokens}`)
  if (promptIds.length === 0) throw new InvalidArgumentError('The prompt needs at least one token')
  const { nCtx } = model.config
  if (promptIds.length > nCtx) throw new InvalidArgumentError(`The prompt has ${promptIds.length} tokens; the model's context holds ${nCtx}`)
  const sampling = { temperature: opts.temperature, topK: opts.topK ?? 0, topP: opts.topP ?? 1 }
  validateSampleOptions(sampling)
  const stops = new Set(opts.stopTokenIds ?? [])
  const rng = createRng(opts.seed)

  const kv = model.newKvCache(1)
  try {
    let input = promptIds
    for (let step = 0; step < maxTokens; step++) {
      if (signal?.aborted) return
      if (kv.length + input.length > nCtx) return // context full: no room for the token just sampled
      const logits = await model.forward([input], { kvCache: kv, logitsAt: 'last', ...(hooks ? { hooks } : {}) }) // [1, 1, vocab]
      let last: Float32Array
      try {
        last = (await logits.data()) as Float32Array // async: GPU backends do not block the worker
      } finally {
        logits.dispose()
      }
      if (signal?.aborted) return
      const id = sampleToken(last, sampling, rng)
      yield id
      if (stops.has(id)) return
      input = [id]
    }
  } finally {
    kv.dispose()
  }
}
