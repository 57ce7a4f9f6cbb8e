// Steered generation: the SAE's hook steered during KV-cache generation, and default vs steered from one seed,
// side by side, with the first position where they part.
import { generate } from '../generate/generate.ts'
import type { SampleOptions } from '../generate/sample.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { Hooks } from '../model/hooks.ts'
import { resolveSaeHook } from '../sae/splice.ts'
import type { Sae } from '../sae/sae.ts'
import { buildSteeringHooks, compileSteeringEdit, resolveInterventions, type Intervention, type MaxActs, type SteeringEdit } from './interventions.ts'
import type { PositionPolicy } from './positions.ts'
import { divergenceIndex } from './divergence.ts'

export { divergenceIndex }

export interface SteerOptions {
  interventions: readonly Intervention[]
  sampling: SampleOptions
  /** Default and steered runs from the same seed sample from the same random stream. */
  seed: number
  maxTokens: number
  signal?: AbortSignal
  stopTokenIds?: number[]
  /** The hook to steer; default the SAE's own (cfg.json metadata.hook_name). */
  hook?: string
  /** Default 'all'. */
  positions?: PositionPolicy
  /** Steer position 0 even when it holds the model's BOS token. Default false. */
  steerBos?: boolean
  /** Needed for strengths in multiples of max activation. */
  maxActs?: MaxActs
}

const hookOptions = (model: HookedModel, promptIds: readonly number[], opts: Omit<SteerOptions, 'sampling' | 'seed' | 'maxTokens'>) => {
  const bos = model.config.bosTokenId
  return {
    promptLength: promptIds.length,
    positions: opts.positions ?? 'all',
    skipFirstPosition: !opts.steerBos && bos !== null && promptIds[0] === bos,
    maxActs: opts.maxActs,
  }
}

/** The hooks generateSteered uses, for callers that run their own forward passes (full recompute, logits views). */
export function steeringHooksFor(model: HookedModel, sae: Sae, promptIds: readonly number[], opts: Omit<SteerOptions, 'sampling' | 'seed' | 'maxTokens'>): Promise<Hooks> {
  return buildSteeringHooks(sae, resolveSaeHook(model, sae, opts.hook), opts.interventions, hookOptions(model, promptIds, opts))
}

/** The same steering as plain data (what to clamp or add, and where), for attribution under steering. */
export function steeringEditFor(model: HookedModel, sae: Sae, promptIds: readonly number[], opts: Omit<SteerOptions, 'sampling' | 'seed' | 'maxTokens'>): Promise<SteeringEdit | null> {
  resolveSaeHook(model, sae, opts.hook)
  return compileSteeringEdit(sae, opts.interventions, hookOptions(model, promptIds, opts))
}

/**
 * Generated token ids with the interventions applied. Validates everything before returning (a bad feature index
 * or a missing max activation throws here, not on the first token). No interventions = default generation.
 */
export function generateSteered(model: HookedModel, sae: Sae, promptIds: number[], opts: SteerOptions): AsyncGenerator<number, void, undefined> {
  if (promptIds.length > 0) {
    // Validated now (hook, indices, strengths); the decoder rows are read asynchronously on the first step.
    resolveSaeHook(model, sae, opts.hook)
    resolveInterventions(opts.interventions, sae.config.dSae, opts.maxActs)
  }
  const hooks = promptIds.length > 0 ? steeringHooksFor(model, sae, promptIds, opts) : Promise.resolve({})
  hooks.catch(() => undefined) // surfaced by the first step, not as an unhandled rejection
  return (async function* () {
    yield* generate(model, promptIds, {
      ...opts.sampling,
      maxTokens: opts.maxTokens,
      seed: opts.seed,
      hooks: await hooks,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.stopTokenIds ? { stopTokenIds: opts.stopTokenIds } : {}),
    })
  })()
}

/** One step of a side-by-side run: each side's token, or null once that side has ended. */
export interface SideBySideStep {
  index: number
  default: number | null
  steered: number | null
}

/**
 * Default and steered generations from the same seed, one token of each per step, for streaming both columns.
 * Breaking out of the loop (or aborting the signal) ends both and frees their KV caches.
 */
export function generateSideBySide(model: HookedModel, sae: Sae, promptIds: number[], opts: SteerOptions): AsyncGenerator<SideBySideStep, void, undefined> {
  const steered = generateSteered(model, sae, promptIds, opts) // validates now, like generateSteered
  const plain = generateSteered(model, sae, promptIds, { ...opts, interventions: [] })
  return lockstep(plain, steered)
}

async function* lockstep(plain: AsyncGenerator<number, void>, steered: AsyncGenerator<number, void>): AsyncGenerator<SideBySideStep, void, undefined> {
  try {
    for (let index = 0; ; index++) {
      const a = await plain.next()
      const b = await steered.next()
      if (a.done && b.done) return
      yield { index, default: a.done ? null : a.value, steered: b.done ? null : b.value }
    }
  } finally {
    await Promise.all([plain.return(undefined), steered.return(undefined)])
  }
}

export interface SideBySideResult {
  default: number[]
  steered: number[]
  /** First position (in generated tokens) where the two differ; null when identical. */
  divergence: number | null
}

export async function runSideBySide(
  model: HookedModel,
  sae: Sae,
  promptIds: number[],
  opts: SteerOptions & { onStep?: (step: SideBySideStep) => void },
): Promise<SideBySideResult> {
  const result: SideBySideResult = { default: [], steered: [], divergence: null }
  for await (const step of generateSideBySide(model, sae, promptIds, opts)) {
    if (step.default !== null) result.default.push(step.default)
    if (step.steered !== null) result.steered.push(step.steered)
    opts.onStep?.(step)
  }
  result.divergence = divergenceIndex(result.default, result.steered)
  return result
}
