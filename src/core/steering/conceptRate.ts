// How often a concept shows up in seeded generations, with and without a steering intervention: the measurement
// behind "clamping the bridge feature makes the model talk about the bridge". Generations run batched (batch.ts).
import type { SampleOptions } from '../generate/sample.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { HookName } from '../model/hookNames.ts'
import type { Sae } from '../sae/sae.ts'
import { generateBatch } from './batch.ts'
import { containsAnySequence } from './conceptMatch.ts'
import { buildSteeringHooks, type Intervention, type MaxActs } from './interventions.ts'
import type { PositionPolicy } from './positions.ts'

export interface ConceptRateOptions {
  /** The prompt as the model reads it (steeringPromptIds: BOS first). Position 0 is never steered when it is the BOS. */
  promptIds: readonly number[]
  seeds: readonly number[]
  maxTokens: number
  sampling: SampleOptions
  positions?: PositionPolicy
  maxActs?: MaxActs
  stopTokenIds?: readonly number[]
  shouldStop?: () => boolean
}

export interface ConceptRate {
  /** Generations in which one of the concept's token sequences occurs. */
  hits: number
  samples: number
  rate: number
  /** Generated ids per seed (stop token included), for reports and spot checks. */
  generations: number[][]
}

/** Runs one generation per seed with `interventions` (none = the unsteered baseline) and counts concept mentions. */
export async function conceptRate(
  model: HookedModel,
  sae: Sae,
  hook: HookName,
  interventions: readonly Intervention[],
  conceptSequences: readonly (readonly number[])[],
  opts: ConceptRateOptions,
): Promise<ConceptRate> {
  const bos = model.config.bosTokenId
  const hooks = await buildSteeringHooks(sae, hook, interventions, {
    promptLength: opts.promptIds.length,
    positions: opts.positions ?? 'all',
    skipFirstPosition: bos !== null && opts.promptIds[0] === bos,
    ...(opts.maxActs ? { maxActs: opts.maxActs } : {}),
  })
  const generations = await generateBatch(model, opts.promptIds, {
    seeds: opts.seeds,
    maxTokens: opts.maxTokens,
    sampling: opts.sampling,
    hooks,
    ...(opts.stopTokenIds ? { stopTokenIds: opts.stopTokenIds } : {}),
    ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
  })
  const hits = generations.filter((ids) => containsAnySequence(ids, conceptSequences)).length
  return { hits, samples: generations.length, rate: generations.length > 0 ? hits / generations.length : 0, generations }
}
