// The model worker's SAEs: SAELens folders loaded by id, run on the session's model for the prompt inspector,
// and handed to sibling code (steering) through get(). No DOM and no postMessage here, so it runs in Node tests.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError, TokenizerError } from '../core/errors.ts'
import { loadSaeLens, resolveSaeHook, type Sae } from '../core/sae/index.ts'
import { resolveSource, type FileSource } from '../core/sources/index.ts'
import { pickedFilesSource } from './saeFiles.ts'
import { digestingWeights } from './weightsDigest.ts'
import type { ModelSession } from './modelSession.ts'
import type { WorkerResponse } from './protocol.ts'
import { defaultSaeId } from './saeProtocol.ts'
import { attribute, topKOverlap } from '../core/attribution/attribute.ts'
import type { SteeringEdit } from '../core/steering/interventions.ts'
import { steeringRunFromState } from '../core/steering/runState.ts'
import { steeringEditFor } from '../core/steering/steer.ts'
import { conceptPromptSets } from '../core/attribution/conceptPrompts.ts'
import { contrast, featureContrast } from '../core/attribution/contrast.ts'
import { describeTarget } from '../core/attribution/target.ts'
import { speaksTinyWorld } from '../core/world/speaks.ts'
import type { HfTextTokenizer } from '../core/tokenizer/tokenizer.ts'
import type { ModelSummary } from './protocol.ts'
import type {
  AttributeRequest,
  ContrastRequest,
  ContrastResponse,
  AttributionResponse,
  EncodePromptRequest,
  FeatureAttribution,
  LoadSaeRequest,
  PromptFeaturesResponse,
  SaeLoadedResponse,
  SaeSourceSpec,
  SaeSummary,
  SaeUnloadedResponse,
  TokenFeatures,
  UnloadSaeRequest,
} from './saeProtocol.ts'

type Emit = (response: WorkerResponse) => void

/** Five features per token fit under a token chip; the clicked position lists all of them. */
const DEFAULT_TOP_K = 5

export interface LoadedSae {
  sae: Sae
  summary: SaeSummary
  /** log10 density per feature from sparsity.safetensors, or null. */
  logSparsity: Float32Array | null
}

async function sourceOf(spec: SaeSourceSpec, signal: AbortSignal): Promise<FileSource> {
  // Zips (the training panel's export) are opened into their files; a newer load cancels the unzipping.
  if (spec.kind === 'files') return pickedFilesSource(spec.files, signal)
  const root = resolveSource(spec.source, { hubEndpoint: spec.hubEndpoint })
  return spec.subfolder ? root.subfolder(spec.subfolder) : root
}

/** The prompt as the SAE reads it: its ids, with the model's BOS first when the SAE was trained with one. */
function promptIds(prompt: EncodePromptRequest['prompt'], sae: Sae, tokenizer: HfTextTokenizer | null, model: ModelSummary): { ids: number[]; addedBos: boolean } {
  let ids: number[]
  if (prompt.kind === 'text') {
    if (!tokenizer) throw new TokenizerError('This model has no tokenizer.json, so it cannot read text; give token ids instead')
    ids = tokenizer.encode(prompt.text)
  } else ids = [...prompt.ids]
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= model.vocabSize)
  if (bad !== undefined) throw new InvalidArgumentError(`Token id ${bad} is outside this model's vocabulary`)
  // SAELens SAEs are trained on BOS-prefixed windows (prepend_bos); without it the first token's residual is off-distribution.
  const bos = model.bosTokenId
  const addedBos = bos !== null && sae.config.metadata.prependBos !== false && ids[0] !== bos
  if (addedBos) ids = [bos!, ...ids]
  if (ids.length === 0) throw new InvalidArgumentError('The prompt is empty')
  if (ids.length > model.nCtx) throw new InvalidArgumentError(`The prompt has ${ids.length} tokens; this model's context holds ${model.nCtx}`)
  return { ids, addedBos }
}

const OVERLAP_K = 10

export class SaeSession {
  private readonly saes = new Map<string, LoadedSae>()
  private readonly loads = new Map<string, AbortController>()

  constructor(private readonly models: ModelSession) {}

  async load(request: LoadSaeRequest, emit: Emit): Promise<SaeLoadedResponse> {
    const id = request.id ?? defaultSaeId(request.spec)
    // A newer load under the same id supersedes the older one.
    this.loads.get(id)?.abort()
    const abort = new AbortController()
    this.loads.set(id, abort)
    try {
      if (!(await this.models.modelReady())) throw new InvalidArgumentError('Load a model first: an SAE runs on the model, and on its backend')
      const weights = digestingWeights(await sourceOf(request.spec, abort.signal))
      const source = weights.source
      const { sae, logSparsity } = await loadSaeLens(source, {
        signal: abort.signal,
        onProgress: (e) => emit({ type: 'progress', requestId: request.requestId, file: e.file, loaded: e.loaded, total: e.total }),
      })
      const { config } = sae
      const summary: SaeSummary = {
        id,
        architecture: config.architecture,
        dIn: config.dIn,
        dSae: config.dSae,
        hookName: config.metadata.hookName,
        k: config.k,
        source: source.description,
        hasSparsity: logSparsity !== null,
        weightsSha256: await weights.digest(),
      }
      // Nothing lost on error: the old SAE under this id is replaced only once the new one has loaded.
      this.saes.get(id)?.sae.dispose()
      this.saes.set(id, { sae, summary, logSparsity })
      return { type: 'saeLoaded', requestId: request.requestId, sae: summary, numTensors: tf.memory().numTensors }
    } finally {
      if (this.loads.get(id) === abort) this.loads.delete(id)
    }
  }

  unload(request: UnloadSaeRequest): SaeUnloadedResponse {
    const loaded = this.saes.get(request.saeId)
    loaded?.sae.dispose()
    this.saes.delete(request.saeId)
    return { type: 'saeUnloaded', requestId: request.requestId, saeId: request.saeId, existed: loaded !== undefined, numTensors: tf.memory().numTensors }
  }

  /** The SAE under `id`, for sibling sessions (steering); it stays owned, and disposed, by this session. */
  get(id: string): LoadedSae {
    const loaded = this.saes.get(id)
    if (!loaded) throw new InvalidArgumentError(`No SAE "${id}" is loaded${this.saes.size ? ` (loaded: ${[...this.saes.keys()].join(', ')})` : ''}`)
    return loaded
  }

  list(): SaeSummary[] {
    return [...this.saes.values()].map((s) => s.summary)
  }

  async encodePrompt(request: EncodePromptRequest): Promise<PromptFeaturesResponse> {
    const { sae, summary } = this.get(request.saeId)
    const topK = Math.max(1, Math.min(request.topK ?? DEFAULT_TOP_K, summary.dSae))
    return this.models.useModel(async ({ model, tokenizer, summary: modelSummary }) => {
      const hook = resolveSaeHook(model, sae)
      const { ids, addedBos } = promptIds(request.prompt, sae, tokenizer, modelSummary)
      const position = request.position ?? null
      if (position !== null && (!Number.isInteger(position) || position < 0 || position >= ids.length)) {
        throw new InvalidArgumentError(`Position ${position} is outside the prompt's ${ids.length} tokens`)
      }

      // collectActivations keeps its tensors past any tidy: they are ours to dispose.
      const cache = await model.collectActivations([ids], [hook])
      const acts = cache.get(hook)! // [1, pos, dIn]
      const [topValues, topIndices, rowT] = tf.tidy(() => {
        const f = sae.featureActsScaled(tf.squeeze(acts, [0])) as tf.Tensor2D // [pos, dSae]
        const top = tf.topk(f, topK) // values, indices [pos, topK]
        const row = tf.squeeze(tf.slice(f, [position ?? 0, 0], [1, -1]), [0]) // [dSae]
        return [top.values, top.indices, row]
      })
      tf.dispose([...cache.values()])
      let values: Float32Array, indices: Int32Array, row: Float32Array | null
      try {
        ;[values, indices, row] = await Promise.all([
          topValues.data() as Promise<Float32Array>,
          topIndices.data() as Promise<Int32Array>,
          position === null ? Promise.resolve(null) : (rowT.data() as Promise<Float32Array>),
        ])
      } finally {
        tf.dispose([topValues, topIndices, rowT])
      }
      const tokens: TokenFeatures[] = ids.map((_, p) => activeOnly(indices.subarray(p * topK, (p + 1) * topK), values.subarray(p * topK, (p + 1) * topK)))
      return {
        type: 'promptFeatures',
        requestId: request.requestId,
        saeId: request.saeId,
        hookName: hook,
        ids,
        pieces: ids.map((id) => tokenizer?.decodeToken(id) ?? `[${id}]`),
        addedBos,
        tokens,
        position,
        active: row ? allActive(row) : null,
        numTensors: tf.memory().numTensors,
      } satisfies PromptFeaturesResponse
    })
  }

  /** "Why this token?": attribution and ablation of every feature active before the token, for its logit. */
  async attribute(request: AttributeRequest): Promise<AttributionResponse> {
    const { sae } = this.get(request.saeId)
    return this.models.useModel(async ({ model, tokenizer, summary: modelSummary }) => {
      const { ids, addedBos } = promptIds(request.prompt, sae, tokenizer, modelSummary)
      const { position } = request
      if (!Number.isInteger(position) || position < 1 || position >= ids.length) {
        throw new InvalidArgumentError(`Token ${position} cannot be explained: pick one of tokens 1…${ids.length - 1} (the first has nothing before it)`)
      }
      const token = ids[position]!
      let steering: SteeringEdit | null = null
      if (request.steering) {
        if (!tokenizer) throw new TokenizerError('This model has no tokenizer.json, so it cannot read a steering prompt')
        const run = steeringRunFromState(model, tokenizer, sae, request.steering)
        if (run.promptIds.some((id, i) => ids[i] !== id)) throw new InvalidArgumentError("These tokens do not begin with the steering demo's prompt, so its steering does not apply to them")
        steering = await steeringEditFor(model, sae, run.promptIds, run.options)
      }
      const r = await attribute(model, sae, undefined, ids, { target: { kind: 'logit', token }, position: position - 1, steering })
      const features = r.features.map((e) => ({ ...e, ablation: e.ablation! }))
      const ablation = (e: FeatureAttribution) => e.ablation
      const total = (v: number[] | null) => (v === null ? null : v.reduce((a, b) => a + b, 0))
      return {
        type: 'attribution',
        requestId: request.requestId,
        steered: request.steering !== undefined,
        saeId: request.saeId,
        hookName: r.hook,
        ids,
        pieces: ids.map((id) => tokenizer?.decodeToken(id) ?? `[${id}]`),
        addedBos,
        position,
        token,
        logit: r.value,
        features,
        overlap: {
          k: Math.min(OVERLAP_K, features.length),
          attribution: r.attributionUnavailable === null ? topKOverlap(features, (e) => e.attribution!, ablation, OVERLAP_K) : null,
          activation: topKOverlap(features, (e) => e.activation, ablation, OVERLAP_K),
        },
        errorAttribution: total(r.errorAttribution),
        biasAttribution: total(r.biasAttribution),
        attributionUnavailable: r.attributionUnavailable,
        numTensors: tf.memory().numTensors,
      } satisfies AttributionResponse
    })
  }

  /** Contrastive search: the features that tell prompts with a concept from prompts without it. */
  async contrast(request: ContrastRequest): Promise<ContrastResponse> {
    const { sae } = this.get(request.saeId)
    return this.models.useModel(async ({ model, tokenizer, summary: modelSummary }) => {
      const { sets } = request
      let withIds: number[][]
      let withoutIds: number[][]
      if (sets.kind === 'concept') {
        if (!speaksTinyWorld(model, tokenizer)) throw new InvalidArgumentError('Concepts are TinyWorld\'s: this model does not speak TinyWorld, so type the two prompt sets instead')
        ;({ with: withIds, without: withoutIds } = conceptPromptSets(sets.concept, sets.prompts, sets.seed))
      } else {
        const ids = (texts: string[]) => texts.map((t) => t.trim()).filter((t) => t !== '').map((text) => promptIds({ kind: 'text', text }, sae, tokenizer, modelSummary).ids)
        withIds = ids(sets.with)
        withoutIds = ids(sets.without)
      }
      let token: number | null = null
      if (request.target !== null) {
        if (!tokenizer) throw new TokenizerError('This model has no tokenizer.json, so a target cannot be typed')
        const ids = tokenizer.encode(request.target, { addSpecialTokens: false })
        if (ids.length !== 1) throw new InvalidArgumentError(`The target "${request.target}" is ${ids.length} tokens; it must be exactly one`)
        token = ids[0]!
      }
      const r = await contrast(model, sae, undefined, withIds, withoutIds, { target: token === null ? null : { kind: 'logit', token } })
      const top = request.top ?? 20
      return {
        type: 'contrastResult',
        requestId: request.requestId,
        saeId: request.saeId,
        hookName: r.hook,
        with: { prompts: r.with.prompts, tokens: r.with.tokens },
        without: { prompts: r.without.prompts, tokens: r.without.tokens },
        targetText: r.target ? describeTarget(r.target, (id) => tokenizer?.decodeToken(id) ?? `[${id}]`) : null,
        byActivation: r.byActivation.slice(0, top).map((i) => featureContrast(r, i)),
        byAttribution: r.byAttribution?.slice(0, top).map((i) => featureContrast(r, i)) ?? null,
        attributionUnavailable: r.attributionUnavailable,
        numTensors: tf.memory().numTensors,
      } satisfies ContrastResponse
    })
  }

  dispose(): void {
    for (const controller of this.loads.values()) controller.abort()
    for (const { sae } of this.saes.values()) sae.dispose()
    this.saes.clear()
  }
}

/** topk also returns zeros when fewer than k features fire; an inactive feature is not a "top feature". */
function activeOnly(indices: ArrayLike<number>, values: ArrayLike<number>): TokenFeatures {
  const out: TokenFeatures = { indices: [], values: [] }
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!
    if (value > 0) {
      out.indices.push(indices[i]!)
      out.values.push(value)
    }
  }
  return out
}

function allActive(row: Float32Array): TokenFeatures {
  const order: number[] = []
  for (let i = 0; i < row.length; i++) if (row[i]! > 0) order.push(i)
  order.sort((a, b) => row[b]! - row[a]! || a - b)
  return { indices: order, values: order.map((i) => row[i]!) }
}
