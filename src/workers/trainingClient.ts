// The main thread's typed client for the training worker: each request is a promise for its final reply, with
// run updates delivered to a callback on the way. Same shape as the model worker's client (client.ts).
import type { RequestId, WorkerErrorCode } from './protocol.ts'
import {
  TRAINING_FINAL_RESPONSE,
  type RunUpdateResponse,
  type TrainingBody,
  type TrainingFinalOf,
  type TrainingRequest,
  type TrainingRequestType,
  type TrainingResponse,
} from './trainingProtocol.ts'

export interface TrainingPort {
  postMessage(message: TrainingRequest): void
  addEventListener(type: 'message', listener: (event: MessageEvent<TrainingResponse>) => void): void
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void
  terminate(): void
}

export class TrainingRequestError extends Error {
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
    readonly requestType: TrainingRequestType,
  ) {
    super(message)
    this.name = 'TrainingRequestError'
  }
}

interface Pending {
  type: TrainingRequestType
  onUpdate: (event: RunUpdateResponse) => void
  resolve: (response: TrainingResponse) => void
  reject: (error: TrainingRequestError) => void
}

export class TrainingWorkerClient {
  private readonly pending = new Map<RequestId, Pending>()
  private nextId = 1
  private deadReason: string | null = null

  constructor(private readonly port: TrainingPort) {
    port.addEventListener('message', (event) => this.receive(event.data))
    port.addEventListener('error', (event) => {
      event.preventDefault()
      this.failAll(`The training worker failed: ${event.message || 'unknown error'}`)
    })
  }

  get alive(): boolean {
    return this.deadReason === null
  }

  request<T extends TrainingRequestType>(body: TrainingBody<T>, onUpdate: (event: RunUpdateResponse) => void = () => {}): Promise<TrainingFinalOf<T>> {
    const requestId = this.nextId++ as RequestId
    return new Promise<TrainingFinalOf<T>>((resolve, reject) => {
      if (this.deadReason !== null) {
        reject(new TrainingRequestError('WORKER', this.deadReason, body.type))
        return
      }
      this.pending.set(requestId, { type: body.type, onUpdate, resolve: resolve as (r: TrainingResponse) => void, reject })
      this.port.postMessage({ ...body, requestId } as unknown as TrainingRequest)
    })
  }

  terminate(): void {
    this.port.terminate()
    this.failAll('The training worker was shut down')
  }

  private receive(response: TrainingResponse): void {
    if (response.requestId === null) {
      console.error(`[monoscope training worker] ${response.type === 'error' ? `${response.code}: ${response.message}` : response.type}`)
      return
    }
    const pending = this.pending.get(response.requestId)
    if (!pending) return
    if (response.type === 'error') {
      this.pending.delete(response.requestId)
      pending.reject(new TrainingRequestError(response.code, response.message, pending.type))
    } else if (response.type === TRAINING_FINAL_RESPONSE[pending.type]) {
      this.pending.delete(response.requestId)
      pending.resolve(response)
    } else if (response.type === 'runUpdate') pending.onUpdate(response)
  }

  private failAll(reason: string): void {
    this.deadReason ??= reason
    for (const [id, pending] of this.pending) {
      this.pending.delete(id)
      pending.reject(new TrainingRequestError('WORKER', reason, pending.type))
    }
  }
}

export function spawnTrainingWorker(): TrainingWorkerClient {
  const worker = new Worker(new URL('./trainingWorker.ts', import.meta.url), { type: 'module', name: 'monoscope-training' })
  return new TrainingWorkerClient(worker as TrainingPort)
}
