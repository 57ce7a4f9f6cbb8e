// What the user can do, as functions over the store and the model worker: each one sends a request, streams
// the replies into the store and turns a failure into an error entry. The UI calls these and nothing else.
import type { GenerationHandle, ModelWorkerClient } from '../workers/client.ts'
import { WorkerRequestError } from '../workers/client.ts'
import type { BackendPreference, DoneResponse, OnnxVariantName } from '../workers/protocol.ts'
import type { AppStore } from './appStore.ts'
import type { ErrorContext } from './errorSlice.ts'
import { DEFAULT_MODEL_SOURCE } from './modelSlice.ts'
import type { SamplingSettings } from './promptSlice.ts'
import { resolveSourceInput } from './sourceSpec.ts'
import { createSaeActions, type SaeActions } from './saeActions.ts'
import { createExplorerActions, type ExplorerActions } from './explorerActions.ts'
import { createSteeringActions, type SteeringActions } from './steeringActions.ts'
import { createTrainingActions, type TrainingActions } from './trainingActions.ts'
import { createExplanationActions, type ExplanationActions } from './explanationActions.ts'
import { createLlmRunActions, type LlmRunActions } from './llmRunActions.ts'
import { spawnTrainingWorker, type TrainingWorkerClient } from '../workers/trainingClient.ts'

export interface AppActionsOptions {
  /** Starts a model worker; called again after one has died. */
  spawn: () => ModelWorkerClient
  /** Starts the training worker (on first use; default: the real one). */
  spawnTraining?: () => TrainingWorkerClient
  /** Relative model folders resolve against this (the page's URL). */
  pageUrl: string
  /** Debounce for tokenizing the prompt as the user types. */
  tokenizeDelayMs?: number
  /** A Hub mirror for 'hf:' models and SAEs (the page's `?hub=`); default https://huggingface.co. */
  hubEndpoint?: string
  /** WASM threads for tfjs-wasm and onnxruntime-web (the page's `?threads=`); default each library's own choice. */
  wasmThreads?: number
  /** Where user and LLM explanations are kept (default: the page's indexedDB; null: memory only). */
  indexedDb?: IDBFactory | null
}

export interface AppActions {
  /** Loads the model named in the loader's field, or `sourceInput` when given. */
  loadModel(sourceInput?: string): Promise<void>
  loadDefaultModel(): Promise<void>
  /** The loader's text field; loading is a separate step. */
  setSourceInput(text: string): void
  /** Which ONNX weights file the next load of an ONNX model reads. */
  setOnnxVariant(variant: OnnxVariantName): void
  /** Switches backend and, when a model is loaded, reloads it there. */
  setBackendPreference(preference: BackendPreference): Promise<void>
  setPrompt(text: string): void
  setSampling(update: Partial<SamplingSettings>): void
  generate(): Promise<void>
  stop(): Promise<void>
  dismissError(id: number): void
  /** Replaces a failed worker with a fresh one and reloads the last model. */
  restartWorker(): Promise<void>
  /** SAEs in the worker (docs/CONTRACTS.md, "SAEs in the worker"). */
  saes: SaeActions
  /** The explorer's data (index, summaries, shards, map) and the prompt inspector. */
  explorer: ExplorerActions
  /** The steering playground: side-by-side runs and share links. */
  steering: SteeringActions
  /** SAE training runs in their own worker (issue 7). */
  training: TrainingActions
  /** User and LLM explanations (IndexedDB) and LLM runs. */
  explanations: ExplanationActions & LlmRunActions
  /** The live worker client (spawned on demand), for sibling action sets such as steering. */
  workerClient(): ModelWorkerClient
  dispose(): void
}

export function createAppActions(store: AppStore, options: AppActionsOptions): AppActions {
  let client: ModelWorkerClient | null = null
  let trainingClient: TrainingWorkerClient | null = null
  let loadSeq = 0
  let tokenizeTimer: ReturnType<typeof setTimeout> | null = null
  let generation: GenerationHandle | null = null
  const get = store.getState

  const worker = (): ModelWorkerClient => {
    if (client && !client.alive) {
      // A dead worker took its model with it.
      client = null
      get().modelLost()
      get().saesLost()
    }
    client ??= options.spawn()
    return client
  }

  const report = (err: unknown, during: ErrorContext, source?: string) => {
    if (err instanceof WorkerRequestError) {
      get().pushError({ code: err.code, message: err.message, during: err.code === 'WORKER' ? 'worker' : during, source })
    } else {
      get().pushError({ code: 'UNKNOWN', message: err instanceof Error ? err.message : String(err), during, source })
    }
  }

  const tokenizeNow = async () => {
    const { text } = get().prompt
    if (get().model.loaded?.summary.hasTokenizer !== true) return get().setPromptTokens(null)
    try {
      const tokens = await worker().tokenize(text)
      // Only the newest text's tokens are shown; an older reply arriving late is dropped.
      if (get().prompt.text === text) get().setPromptTokens({ text, ids: tokens.ids, pieces: tokens.pieces })
    } catch (err) {
      if (get().prompt.text === text) report(err, 'tokenize')
    }
  }

  const loadModel = async (sourceInput = get().model.sourceInput) => {
    const seq = ++loadSeq
    const source = resolveSourceInput(sourceInput, options.pageUrl)
    const started = performance.now()
    get().setSourceInput(sourceInput)
    get().loadStarted(source)
    try {
      const { backendPreference: backend, onnxVariant } = get().model
      const request = { type: 'loadModel' as const, source, backend, ...(onnxVariant !== 'fp32' ? { onnxVariant } : {}), ...(options.hubEndpoint ? { hubEndpoint: options.hubEndpoint } : {}), ...(options.wasmThreads ? { wasmThreads: options.wasmThreads } : {}) }
      const reply = await worker().loadModel(request, (p) => {
        if (seq === loadSeq) get().loadProgress({ file: p.file, loaded: p.loaded, total: p.total })
      })
      if (seq !== loadSeq) return
      const previous = get().model.loaded?.summary.source
      get().loadSucceeded({ input: sourceInput, summary: reply.model, backend: reply.backend, hookNames: reply.hookNames, loadMs: performance.now() - started })
      // A new model brings its own suggested settings; reloading the same one (another backend) keeps the user's.
      if (previous !== reply.model.source) get().setSampling(reply.generationDefaults)
      get().clearErrors('load')
      get().clearErrors('worker')
      await tokenizeNow()
    } catch (err) {
      // A load superseded by a newer one is cancelled on purpose: not worth a message.
      const superseded = seq !== loadSeq || (err instanceof WorkerRequestError && err.code === 'CANCELLED')
      if (seq === loadSeq) get().loadEnded()
      if (!superseded) report(err, 'load', source)
    }
  }

  const finish = (done: DoneResponse) =>
    get().generationEnded({ reason: done.reason, generated: done.generated, elapsedMs: done.elapsedMs, numTensors: done.numTensors })

  const generate = async () => {
    const state = get()
    if (state.generation.status !== 'idle' || state.model.status !== 'ready' || !state.model.loaded) return
    const { text, sampling } = state.prompt
    const handle = worker().generate(
      {
        type: 'generate',
        prompt: { kind: 'text', text },
        sampling: { temperature: sampling.temperature, topK: sampling.topK, topP: sampling.topP },
        seed: sampling.seed,
        maxTokens: sampling.maxTokens,
        stopAtEos: sampling.stopAtEos,
      },
      {
        onPromptTokens: (tokens) => get().generationPrompt(tokens.ids),
        onToken: (token) => get().tokenGenerated({ id: token.id, text: token.text }),
      },
    )
    generation = handle
    get().generationStarted(handle.requestId, text, sampling.maxTokens)
    try {
      finish(await handle.done)
    } catch (err) {
      get().generationEnded({ reason: 'error', generated: get().generation.tokens.length, elapsedMs: 0, numTensors: null })
      report(err, 'generate')
    } finally {
      if (generation === handle) generation = null
    }
  }

  const stop = async () => {
    if (!generation || get().generation.status !== 'running') return
    get().generationStopping()
    try {
      await generation.stop()
    } catch (err) {
      report(err, 'stop')
    }
  }

  const saes = createSaeActions(store, { worker, pageUrl: options.pageUrl, hubEndpoint: options.hubEndpoint })
  const explorer = createExplorerActions(store, { saes, pageUrl: options.pageUrl })
  const explanations = createExplanationActions(store, { indexedDb: options.indexedDb === undefined ? (globalThis.indexedDB ?? null) : options.indexedDb })
  return {
    loadModel,
    loadDefaultModel: () => loadModel(DEFAULT_MODEL_SOURCE),
    setSourceInput: (text) => get().setSourceInput(text),
    setOnnxVariant: (variant) => get().setOnnxVariant(variant),
    async setBackendPreference(preference) {
      if (preference === get().model.backendPreference) return
      get().setBackendPreference(preference)
      if (get().model.loaded || get().model.status === 'loading') await loadModel()
    },
    setPrompt(text) {
      get().setPromptText(text)
      if (tokenizeTimer !== null) clearTimeout(tokenizeTimer)
      tokenizeTimer = setTimeout(() => {
        tokenizeTimer = null
        void tokenizeNow()
      }, options.tokenizeDelayMs ?? 150)
    },
    setSampling: (update) => get().setSampling(update),
    generate,
    stop,
    dismissError: (id) => get().dismissError(id),
    async restartWorker() {
      client?.terminate()
      client = null
      get().modelLost()
      get().saesLost()
      get().clearErrors('worker')
      await loadModel()
    },
    saes,
    explorer,
    steering: createSteeringActions(store, { worker, explorer, saes, loadModel: (source) => loadModel(source) }),
    training: createTrainingActions(store, {
      spawn: () => {
        trainingClient = (options.spawnTraining ?? spawnTrainingWorker)()
        return trainingClient
      },
      saes,
      pageUrl: options.pageUrl,
      hubEndpoint: options.hubEndpoint,
    }),
    explanations: { ...explanations, ...createLlmRunActions(store, { explanations, loadFeature: (saeId, index) => explorer.loadFeature(saeId, index) }) },
    workerClient: worker,
    dispose() {
      trainingClient?.terminate()
      if (tokenizeTimer !== null) clearTimeout(tokenizeTimer)
      client?.terminate()
      client = null
    },
  }
}
