// What the model worker does, apart from messaging: owns the model and its tensors, loads, tokenizes, generates
// and stops. No DOM and no postMessage here, so it also runs in Node tests.
import * as tf from '@tensorflow/tfjs'
import { selectBackend, currentBackend, type BackendName } from '../core/backend/backend.ts'
import { BackendError, CancelledError, InvalidArgumentError, TokenizerError } from '../core/errors.ts'
import { generate } from '../core/generate/generate.ts'
import { loadModel } from '../core/model/load.ts'
import { resolveSource } from '../core/sources/index.ts'
import { createStreamingDecoder } from '../core/tokenizer/tokenizer.ts'
import { speaksTinyWorld } from '../core/world/speaks.ts'
import type {
  BackendInfo,
  DoneReason,
  DoneResponse,
  GenerateRequest,
  GenerationDefaults,
  LoadModelRequest,
  ModelLoadedResponse,
  ModelSummary,
  RequestId,
  StopRequest,
  TokenizeRequest,
  TokensResponse,
  WorkerResponse,
} from './protocol.ts'

type Loaded = Awaited<ReturnType<typeof loadModel>>

export interface ModelSessionOptions {
  /** Says which adapter or thread count runs the backend (browser detail; Node passes none). */
  describeBackend?: (name: BackendName) => Promise<BackendInfo>
  /** Lets queued messages (a stop) in between generated tokens; the worker yields a macrotask. */
  yieldToEvents?: () => Promise<void>
}

type Emit = (response: WorkerResponse) => void

/** A backend that has not started by then is hung (a broken tfjs-wasm bundle does that); SwiftShader WebGPU takes seconds. */
const BACKEND_START_TIMEOUT_MS = 120_000

/** Turns a silent hang into an error the user can read; the hung promise itself cannot be cancelled. */
function startBackend(preference: BackendName[] | undefined): Promise<BackendName> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const which = preference?.join(', ') ?? 'any backend'
      reject(new BackendError(`${which} did not start within ${BACKEND_START_TIMEOUT_MS / 1000} s`))
    }, BACKEND_START_TIMEOUT_MS)
  })
  return Promise.race([selectBackend(preference), timeout]).finally(() => clearTimeout(timer))
}

const numberOr = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)

/** generation_config.json in HF names → the app's sampling settings. */
function generationDefaults(config: Record<string, unknown>): GenerationDefaults {
  const defaults: GenerationDefaults = {}
  const temperature = config.do_sample === false ? 0 : numberOr(config.temperature)
  if (temperature !== undefined) defaults.temperature = temperature
  const topK = numberOr(config.top_k)
  if (topK !== undefined) defaults.topK = topK
  const topP = numberOr(config.top_p)
  if (topP !== undefined) defaults.topP = topP
  const maxTokens = numberOr(config.max_new_tokens)
  if (maxTokens !== undefined) defaults.maxTokens = maxTokens
  return defaults
}

export class ModelSession {
  private loaded: { model: Loaded['model']; tokenizer: Loaded['tokenizer']; summary: ModelSummary } | null = null
  private readonly generations = new Map<RequestId, AbortController>()
  private loadAbort: AbortController | null = null
  /** Loads and generations run one at a time: a load must not dispose a model mid-generation. */
  private queue: Promise<unknown> = Promise.resolve()
  private readonly describe: (name: BackendName) => Promise<BackendInfo>
  private readonly yieldToEvents: () => Promise<void>
  private pendingLoad: Promise<void> = Promise.resolve()

  constructor(options: ModelSessionOptions = {}) {
    this.describe = options.describeBackend ?? (async (name) => ({ name, detail: name }))
    this.yieldToEvents = options.yieldToEvents ?? (() => new Promise((resolve) => setTimeout(resolve, 0)))
  }

  async load(request: LoadModelRequest, emit: Emit): Promise<ModelLoadedResponse> {
    // A newer load supersedes an older one, and running generations give way to it.
    this.loadAbort?.abort()
    const abort = new AbortController()
    this.loadAbort = abort
    for (const controller of this.generations.values()) controller.abort()
    const pending = this.exclusive(async (): Promise<ModelLoadedResponse> => {
      if (abort.signal.aborted) throw new CancelledError('A newer model load replaced this one')
      const previousBackend = currentBackend()
      let backend: BackendName
      let loaded: Loaded
      try {
        backend = await startBackend(request.backend === 'auto' ? undefined : [request.backend])
        loaded = await loadModel(resolveSource(request.source, { hubEndpoint: request.hubEndpoint }), {
          signal: abort.signal,
          ...(request.onnxVariant ? { onnxVariant: request.onnxVariant } : {}),
          onProgress: (e) => emit({ type: 'progress', requestId: request.requestId, file: e.file, loaded: e.loaded, total: e.total }),
        })
      } catch (err) {
        // Nothing lost on error: the previous model stays loaded, on its backend. tfjs may be left naming a backend
        // that failed to start, so switch back even when the names look equal.
        if (this.loaded && previousBackend !== null) await startBackend([previousBackend]).catch(() => undefined)
        throw err
      } finally {
        if (this.loadAbort === abort) this.loadAbort = null
      }
      this.loaded?.model.dispose()
      const { config } = loaded.model
      const summary: ModelSummary = {
        source: request.source,
        family: config.family,
        engine: loaded.model.engine,
        nLayers: config.nLayers,
        dModel: config.dModel,
        nCtx: config.nCtx,
        vocabSize: config.vocabSize,
        bosTokenId: config.bosTokenId,
        eosTokenId: config.eosTokenId,
        hasTokenizer: loaded.tokenizer !== null,
        speaksTinyWorld: speaksTinyWorld(loaded.model, loaded.tokenizer),
      }
      this.loaded = { model: loaded.model, tokenizer: loaded.tokenizer, summary }
      return {
        type: 'modelLoaded',
        requestId: request.requestId,
        model: summary,
        backend: await this.describe(backend),
        hookNames: [...config.hookNames],
        vocabSize: config.vocabSize,
        generationDefaults: generationDefaults(loaded.generationConfig),
      }
    })
    this.pendingLoad = pending.then(
      () => undefined,
      () => undefined,
    )
    return pending
  }

  /**
   * Waits for a model load in flight, then says whether a model is loaded: SAE weights made before the model's
   * backend has started would land on no backend (or the wrong one), so SAE loads wait for it.
   */
  async modelReady(): Promise<boolean> {
    await this.pendingLoad
    return this.loaded !== null
  }

  tokenize(request: TokenizeRequest): TokensResponse {
    const tokenizer = this.requireTokenizer()
    const ids = tokenizer.encode(request.text)
    return { type: 'tokens', requestId: request.requestId, ids, pieces: ids.map((id) => tokenizer.decodeToken(id)) }
  }

  async generate(request: GenerateRequest, emit: Emit): Promise<DoneResponse> {
    // Registered before queueing, so a stop reaches a generation still waiting for its turn.
    const controller = new AbortController()
    this.generations.set(request.requestId, controller)
    const started = performance.now()
    try {
      return await this.exclusive(async () => {
        const { model, tokenizer, summary } = this.requireModel()
        const promptIds = this.promptIds(request)
        emit({ type: 'tokens', requestId: request.requestId, ids: promptIds, pieces: promptIds.map((id) => tokenizer?.decodeToken(id) ?? `[${id}]`) })
        const room = summary.nCtx - promptIds.length
        if (room <= 0) throw new InvalidArgumentError(`The prompt has ${promptIds.length} tokens; this model's context holds ${summary.nCtx}`)
        const maxTokens = Math.min(request.maxTokens, room)
        // The prompt is context, not output: it shapes the first token's text (its leading space) without being sent.
        // Text a decoder still holds when the run ends (half a character) is dropped with it.
        const decoder = tokenizer ? createStreamingDecoder(tokenizer, { context: promptIds }) : null
        let generated = 0
        let reason: DoneReason = 'maxTokens'
        try {
          const stream = generate(model, promptIds, {
            maxTokens,
            temperature: request.sampling.temperature,
            topK: request.sampling.topK,
            topP: request.sampling.topP,
            seed: request.seed,
            signal: controller.signal,
            stopTokenIds: request.stopAtEos && summary.eosTokenId !== null ? [summary.eosTokenId] : [],
          })
          for await (const id of stream) {
            emit({ type: 'token', requestId: request.requestId, index: generated, id, text: decoder ? decoder.push(id) : `[${id}]` })
            generated++
            await this.yieldToEvents()
            if (controller.signal.aborted) break
          }
          if (controller.signal.aborted) reason = 'stopped'
          else if (generated < maxTokens) reason = 'eos'
        } catch (err) {
          if (!controller.signal.aborted) throw err
          reason = 'stopped' // the generator may throw CancelledError or an AbortError when stopped
        }
        return this.done(request.requestId, reason, generated, started)
      })
    } finally {
      this.generations.delete(request.requestId)
    }
  }

  stop(request: StopRequest): DoneResponse {
    this.generations.get(request.target)?.abort()
    return this.done(request.requestId, 'ok', 0, performance.now())
  }

  /**
   * Runs `task` with the loaded model in this session's queue, so a model load cannot dispose it mid-use; sibling
   * sessions (SAEs, steering) use this instead of holding the model. Throws InvalidArgumentError when none is loaded.
   */
  useModel<T>(task: (loaded: NonNullable<ModelSession['loaded']>) => T | Promise<T>): Promise<T> {
    return this.exclusive(async () => task(this.requireModel()))
  }

  dispose(): void {
    for (const controller of this.generations.values()) controller.abort()
    this.loaded?.model.dispose()
    this.loaded = null
  }

  private promptIds(request: GenerateRequest): number[] {
    const { summary } = this.requireModel()
    let ids: number[]
    if (request.prompt.kind === 'text') ids = this.requireTokenizer().encode(request.prompt.text)
    else ids = request.prompt.ids
    const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= summary.vocabSize)
    if (bad !== undefined) throw new InvalidArgumentError(`Token id ${bad} is outside this model's vocabulary (0…${summary.vocabSize - 1})`)
    // An empty prompt starts from beginning-of-text, as GPT-2 samples unconditionally.
    if (ids.length === 0 && summary.bosTokenId !== null) return [summary.bosTokenId]
    if (ids.length === 0) throw new InvalidArgumentError('The prompt is empty and this model has no beginning-of-text token')
    return ids
  }

  private done(requestId: RequestId, reason: DoneReason, generated: number, started: number): DoneResponse {
    const elapsedMs = performance.now() - started
    return { type: 'done', requestId, reason, generated, elapsedMs, numTensors: tf.memory().numTensors }
  }

  private requireModel(): NonNullable<ModelSession['loaded']> {
    if (!this.loaded) throw new InvalidArgumentError('No model is loaded yet')
    return this.loaded
  }

  private requireTokenizer(): NonNullable<Loaded['tokenizer']> {
    const { tokenizer } = this.requireModel()
    if (!tokenizer) throw new TokenizerError('This model has no tokenizer.json, so it cannot read text; give token ids instead')
    return tokenizer
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }
}
