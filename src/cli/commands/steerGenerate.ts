// `monoscope generate --sae …`: default and steered generations from one seed, side by side, from flags or from a
// share link (--share). Flags are first turned into the link's state, so both ways run the same code as the browser.
import { InvalidArgumentError, TokenizerError } from '../../core/errors.ts'
import type { HookedModel } from '../../core/model/hookedModel.ts'
import type { Sae } from '../../core/sae/sae.ts'
import { resolveSaeHook } from '../../core/sae/splice.ts'
import { resolveInterventions, type Intervention } from '../../core/steering/interventions.ts'
import type { PositionPolicy } from '../../core/steering/positions.ts'
import { steeringRunFromState } from '../../core/steering/runState.ts'
import { decodeShareState, encodeShareState, SHARE_STATE_PARAM, SHARE_STATE_VERSION, type ShareState } from '../../core/steering/shareState.ts'
import { divergenceIndex, generateSteered, runSideBySide } from '../../core/steering/steer.ts'
import type { BackendName } from '../../core/backend/backend.ts'
import type { HfTextTokenizer } from '../../core/tokenizer/tokenizer.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { loadSaeFromSpec } from './features.ts'
import { loadOrMeasureMaxActs, needsMaxActs } from './steerFlags.ts'
import { localSpecFor, saeIdFor, shareSpecFor } from './steerShareSpec.ts'

export interface SteerFlagValues {
  model?: string | undefined
  sae?: string | undefined
  hook?: string | undefined
  prompt?: string | undefined
  share?: string | undefined
  interventions: Intervention[]
  positions: PositionPolicy
  steerBos: boolean
  maxActsFile?: string | undefined
  sampling: { temperature: number; topK: number; topP: number; maxTokens: number }
  seed: number
  steeredOnly: boolean
  json: boolean
  verbose: boolean
}

/** `v1.…`, or a whole link with ?steer=v1.… in it. */
export function shareTextOf(input: string): string {
  const text = input.trim()
  if (/^https?:\/\//i.test(text) || text.startsWith('?') || text.includes(`${SHARE_STATE_PARAM}=`)) {
    const query = text.includes('?') ? text.slice(text.indexOf('?')) : text
    const found = new URLSearchParams(query.replace(/#.*$/, '')).get(SHARE_STATE_PARAM)
    if (found === null) throw new InvalidArgumentError(`--share: the link has no ?${SHARE_STATE_PARAM}= parameter`)
    return found
  }
  return text
}

interface Loaded {
  model: HookedModel
  tokenizer: HfTextTokenizer
  sae: Sae
  backend: BackendName
}

async function load(modelSpec: string | undefined, saeSpec: string, verbose: boolean): Promise<Loaded> {
  const { model, tokenizer, backend } = await loadModelFromSpec(modelSpec, { verbose })
  try {
    if (!tokenizer) throw new TokenizerError('This model has no tokenizer.json, so it cannot take a text prompt')
    return { model, tokenizer, sae: await loadSaeFromSpec(saeSpec, { verbose }), backend }
  } catch (err) {
    model.dispose()
    throw err
  }
}

/** The flags as a share state, with every "N× max" carrying the max it was resolved with. */
async function stateFromFlags(v: SteerFlagValues, loaded: Loaded, saeSpec: string, modelSpec: string): Promise<{ state: ShareState; maxActsSource: string | null }> {
  const { model, tokenizer, sae, backend } = loaded
  const hook = resolveSaeHook(model, sae, v.hook)
  let maxActs: Float32Array | undefined
  let maxActsSource: string | null = null
  if (needsMaxActs(v.interventions)) {
    const measured = await loadOrMeasureMaxActs(model, tokenizer, sae, hook, { file: v.maxActsFile, spec: saeSpec, verbose: v.verbose })
    maxActs = measured.values
    maxActsSource = measured.source
  }
  resolveInterventions(v.interventions, sae.config.dSae, maxActs) // every bad index, duplicate or unknown max fails here
  const state: ShareState = {
    version: SHARE_STATE_VERSION,
    model: shareSpecFor(modelSpec) ?? modelSpec,
    sae: { source: shareSpecFor(saeSpec) ?? saeSpec, id: saeIdFor(saeSpec), hook: v.hook ?? null },
    prompt: v.prompt ?? '',
    interventions: v.interventions.map(({ index, mode, strength }) => ({
      index,
      mode,
      strength: strength.kind === 'absolute' ? strength : { kind: 'maxMultiple' as const, multiple: strength.multiple, maxAct: maxActs![index]! },
    })),
    positions: v.positions,
    steerBos: v.steerBos,
    sampling: v.sampling,
    seed: v.seed,
    backend,
  }
  return { state, maxActsSource }
}

export async function steeredGenerateCommand(v: SteerFlagValues, defaultModelSpec: string): Promise<void> {
  let shared: ShareState | null = null
  if (v.share !== undefined) {
    if (v.sae !== undefined || v.prompt !== undefined || v.interventions.length > 0) {
      throw new InvalidArgumentError('--share carries the whole demo: leave out --sae, --prompt, --clamp and --add')
    }
    shared = await decodeShareState(shareTextOf(v.share))
  } else if (v.sae === undefined) {
    throw new InvalidArgumentError('Steering needs --sae SRC (an SAELens folder)')
  } else if (v.prompt === undefined) {
    throw new InvalidArgumentError('generate needs --prompt "…"')
  }
  const modelSpec = shared ? localSpecFor(shared.model) : (v.model ?? defaultModelSpec)
  const saeSpec = shared ? localSpecFor(shared.sae.source) : v.sae!
  const loaded = await load(modelSpec, saeSpec, v.verbose)
  try {
    const { state, maxActsSource } = shared ? { state: shared, maxActsSource: 'share link' } : await stateFromFlags(v, loaded, saeSpec, modelSpec)
    const { model, tokenizer, sae } = loaded
    const run = steeringRunFromState(model, tokenizer, sae, state)
    const drop = (ids: number[]) => (ids.length > 0 && run.stopTokenIds.includes(ids[ids.length - 1]!) ? ids.slice(0, -1) : ids)
    let plain: number[] | null = null
    let steered: number[]
    if (v.steeredOnly) {
      steered = []
      for await (const id of generateSteered(model, sae, run.promptIds, run.options)) steered.push(id)
    } else {
      const result = await runSideBySide(model, sae, run.promptIds, run.options)
      plain = drop(result.default)
      steered = result.steered
    }
    steered = drop(steered)
    let share: string | null = null
    let shareError: string | null = null
    try {
      share = await encodeShareState(state)
    } catch (err) {
      shareError = err instanceof Error ? err.message : String(err)
    }
    const divergence = plain === null ? null : divergenceIndex(plain, steered)
    if (v.json) {
      const side = (ids: number[]) => ({ tokens: ids, text: tokenizer.decode(ids) })
      const out = {
        prompt_tokens: run.promptIds,
        ...(plain === null ? {} : { default: side(plain) }),
        steered: side(steered),
        divergence,
        interventions: state.interventions,
        max_acts_source: maxActsSource,
        backend: loaded.backend,
        share,
        ...(shareError === null ? {} : { share_error: shareError }),
      }
      process.stdout.write(`${JSON.stringify(out)}\n`)
      return
    }
    const lines = [`prompt:  ${state.prompt}`]
    if (plain !== null) lines.push(`default: ${tokenizer.decode(plain)}`)
    lines.push(`steered: ${tokenizer.decode(steered)}`)
    if (plain !== null) lines.push(divergence === null ? 'The two are identical.' : `They part at generated token ${divergence}.`)
    lines.push(share !== null ? `share:   ?${SHARE_STATE_PARAM}=${share}` : `share:   not possible (${shareError})`)
    process.stdout.write(`${lines.join('\n')}\n`)
  } finally {
    loaded.sae.dispose()
    loaded.model.dispose()
  }
}
