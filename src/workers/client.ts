// The main thread's typed client for the model worker: each request becomes a promise for its final reply,
// with stream events (progress, prompt tokens, generated tokens) delivered to callbacks on the way.
import {
  FINAL_RESPONSE,
  type DoneResponse,
  type ErrorResponse,
  type FinalResponseOf,
  type ModelLoadedResponse,
  type ProgressResponse,
  type RequestBody,
  type RequestId,
  type RequestOf,
  type TokenResponse,
  type TokensResponse,
  type WorkerErrorCode,
  type WorkerRequest,
  type WorkerRequestType,
  type WorkerResponse,
} from './protocol.ts'
import type { SteerTokenResponse } from './steeringProtocol.ts'
import type { AnalysisProgressResponse, SaeAnalysedResponse } from './analysisProtocol.ts'
import type { AttributionResponse, ContrastResponse, PromptFeaturesResponse, SaeLoadedResponse, SaeUnloadedResponse } from './saeProtocol.ts'

/** What the client needs of a Worker, so tests can hand it a fake. */
export interface WorkerPort {
  postMessage(message: WorkerRequest): void
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerResponse>) => void): void
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void
  addEventListener(type: 'messageerror', listener: (event: MessageEvent) => void): void
  terminate(): void
}

/** A request the worker answered with an error, or that died with the worker. */
export class WorkerRequestError extends Error {
  readonly code: WorkerErrorCode
  readonly requestType: WorkerRequestType

  constructor(code: WorkerErrorCode, message: string, requestType: WorkerRequestType) {
    super(message)
    this.name = 'WorkerRequestError'
    this.code = code
    this.requestType = requestType
  }
}

type StreamEvent = Exclude<WorkerResponse, ErrorResponse>

interface Pending {
  type: WorkerRequestType
  onEvent: (event: StreamEvent) => void
  resolve: (response: StreamEvent) => void
  reject: (error: WorkerRequestError) => void
}

export interface GenerateCallbacks {
  onPromptTokens?: (tokens: TokensResponse) => void
  onToken?: (token: TokenResponse) => void
}

export interface SteerCallbacks {
  onPromptTokens?: (tokens: TokensResponse) => void
  onToken?: (token: SteerTokenResponse) => void
}

export interface GenerationHandle {
  readonly requestId: RequestId
  /** Resolves when the generation ends for any reason (including a stop); rejects on an error. */
  readonly done: Promise<DoneResponse>
  stop(): Promise<void>
}

export class ModelWorkerClient {
  private readonly port: WorkerPort
  private readonly pending = new Map<RequestId, Pending>()
  private nextId = 1
  private deadReason: string | null = null

  constructor(port: WorkerPort) {
    this.port = port
    port.addEventListener('message', (event) => this.receive(event.data))
    port.addEventListener('error', (event) => {
      // An uncaught error inside the worker (e.g. its module failed to load): nothing pending can finish.
      event.preventDefault()
      this.failAll(`The model worker failed: ${event.message || 'unknown error'}`)
    })
    port.addEventListener('messageerror', () => this.failAll('A message from the model worker could not be read'))
  }

  /** False once the worker has failed; the owner should spawn a new one. */
  get alive(): boolean {
    return this.deadReason === null
  }

  loadModel(body: RequestBody<'loadModel'>, onProgress?: (event: ProgressResponse) => void): Promise<ModelLoadedResponse> {
    return this.request('loadModel', body, (event) => {
      if (event.type === 'progress') onProgress?.(event)
    }).promise
  }

  tokenize(text: string): Promise<TokensResponse> {
    return this.request('tokenize', { type: 'tokenize', text }).promise
  }

  generate(body: RequestBody<'generate'>, callbacks: GenerateCallbacks = {}): GenerationHandle {
    const { requestId, promise } = this.request('generate', body, (event) => {
      if (event.type === 'tokens') callbacks.onPromptTokens?.(event)
      else if (event.type === 'token') callbacks.onToken?.(event)
    })
    return { requestId, done: promise, stop: () => this.stop(requestId) }
  }

  loadSae(body: RequestBody<'loadSae'>, onProgress?: (event: ProgressResponse) => void): Promise<SaeLoadedResponse> {
    return this.request('loadSae', body, (event) => {
      if (event.type === 'progress') onProgress?.(event)
    }).promise
  }

  unloadSae(saeId: string): Promise<SaeUnloadedResponse> {
    return this.request('unloadSae', { type: 'unloadSae', saeId }).promise
  }

  /** A steering run: prompt tokens, then both columns' tokens as they come; stop() ends both. */
  steer(body: RequestBody<'steer'>, callbacks: SteerCallbacks = {}): GenerationHandle {
    const { requestId, promise } = this.request('steer', body, (event) => {
      if (event.type === 'tokens') callbacks.onPromptTokens?.(event)
      else if (event.type === 'steerToken') callbacks.onToken?.(event)
    })
    return { requestId, done: promise, stop: () => this.stop(requestId) }
  }

  /** Dashboards and a map for a loaded SAE; progress as it goes; stop() cancels (the promise rejects with CANCELLED). */
  analyseSae(body: RequestBody<'analyseSae'>, onProgress?: (event: AnalysisProgressResponse) => void): { requestId: RequestId; done: Promise<SaeAnalysedResponse>; stop: () => Promise<void> } {
    const { requestId, promise } = this.request('analyseSae', body, (event) => {
      if (event.type === 'analysisProgress') onProgress?.(event)
    })
    return { requestId, done: promise, stop: () => this.stop(requestId) }
  }

  encodePrompt(body: RequestBody<'encodePrompt'>): Promise<PromptFeaturesResponse> {
    return this.request('encodePrompt', body).promise
  }

  attribute(body: RequestBody<'attribute'>): Promise<AttributionResponse> {
    return this.request('attribute', body).promise
  }

  contrast(body: RequestBody<'contrast'>): Promise<ContrastResponse> {
    return this.request('contrast', body).promise
  }

  async stop(target: RequestId): Promise<void> {
    await this.request('stop', { type: 'stop', target }).promise
  }

  /** Ends the worker; every pending request rejects with code 'WORKER'. */
  terminate(): void {
    this.port.terminate()
    this.failAll('The model worker was shut down')
  }

  private request<T extends WorkerRequestType>(
    type: T,
    body: RequestBody<T>,
    onEvent: (event: StreamEvent) => void = () => {},
  ): { requestId: RequestId; promise: Promise<FinalResponseOf<T>> } {
    const requestId = this.nextId++ as RequestId
    const promise = new Promise<FinalResponseOf<T>>((resolve, reject) => {
      if (this.deadReason !== null) {
        reject(new WorkerRequestError('WORKER', this.deadReason, type))
        return
      }
      this.pending.set(requestId, { type, onEvent, resolve: resolve as (r: StreamEvent) => void, reject })
      // TypeScript cannot see that Omit<RequestOf<T>, 'requestId'> plus a requestId is RequestOf<T> again.
      this.port.postMessage({ ...body, requestId } as unknown as RequestOf<T>)
    })
    return { requestId, promise }
  }

  private receive(response: WorkerResponse): void {
    if (response.requestId === null) {
      // Only errors carry no requestId; there is no caller to tell, so the console is the place.
      console.error(`[monoscope worker] ${response.type === 'error' ? `${response.code}: ${response.message}` : response.type}`)
      return
    }
    const pending = this.pending.get(response.requestId)
    if (!pending) return // a late event for a request already settled (e.g. a token after an error)
    if (response.type === 'error') {
      this.pending.delete(response.requestId)
      pending.reject(new WorkerRequestError(response.code, response.message, pending.type))
    } else if (response.type === FINAL_RESPONSE[pending.type]) {
      this.pending.delete(response.requestId)
      pending.resolve(response)
    } else {
      pending.onEvent(response)
    }
  }

  private failAll(reason: string): void {
    this.deadReason ??= reason
    for (const [id, pending] of this.pending) {
      this.pending.delete(id)
      pending.reject(new WorkerRequestError('WORKER', reason, pending.type))
    }
  }
}

/** Starts the model worker (an ES module worker, bundled by Vite from this URL pattern). */
export function spawnModelWorker(): ModelWorkerClient {
  const worker = new Worker(new URL('./modelWorker.ts', import.meta.url), { type: 'module', name: 'monoscope-model' })
  return new ModelWorkerClient(worker as WorkerPort)
}
