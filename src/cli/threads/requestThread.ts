// One worker thread that answers requests: started from a TypeScript entry (through tsxWorker.mjs), ready once its
// entry says so, then one reply per request, matched by id. A thread that fails or exits rejects the request it
// was on and every later one, with the reason. The worker side is serveRequests (workerServe.ts).
import { Worker } from 'node:worker_threads'
import { InvalidArgumentError } from '../../core/errors.ts'

export type WorkerReply<R> =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'result'; id: number; result: R }
  | { kind: 'error'; id: number; name: string; message: string }

export interface WorkerRequest<Q> {
  id: number
  request: Q
}

const ENTRY_URL = new URL('./tsxWorker.mjs', import.meta.url)

interface Pending<R> {
  resolve: (r: R) => void
  reject: (e: Error) => void
}

export class RequestThread<Q, R> {
  private readonly pending = new Map<number, Pending<R>>()
  private nextId = 0
  private broken: Error | null = null

  private constructor(
    private readonly worker: Worker,
    private readonly label: string,
  ) {
    worker.on('message', (reply: WorkerReply<R>) => {
      if (reply.kind !== 'result' && reply.kind !== 'error') return
      const p = this.pending.get(reply.id)
      if (!p) return
      this.pending.delete(reply.id)
      if (reply.kind === 'result') p.resolve(reply.result)
      else p.reject(Object.assign(new Error(`A ${label} thread failed: ${reply.message}`), { name: reply.name }))
    })
    worker.on('error', (err) => this.fail(new Error(`A ${label} thread crashed: ${err.message}`)))
    worker.on('exit', (code) => this.fail(new Error(`A ${label} thread exited (code ${code})`)))
  }

  /** Starts `entry` (a path relative to this folder) with `data` as its workerData and waits until it is ready. */
  static async start<Q, R>(entry: string, data: Record<string, unknown>, label: string): Promise<RequestThread<Q, R>> {
    const worker = new Worker(ENTRY_URL, { workerData: { ...data, entry } })
    try {
      await ready(worker, label)
    } catch (err) {
      await worker.terminate()
      throw err
    }
    return new RequestThread<Q, R>(worker, label)
  }

  /** Requests in flight. */
  get busy(): number {
    return this.pending.size
  }

  request(request: Q, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.broken) return Promise.reject(this.broken)
    const id = this.nextId++
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ id, request } satisfies WorkerRequest<Q>, transfer)
    })
  }

  async terminate(): Promise<void> {
    this.broken ??= new Error(`The ${this.label} threads were disposed`)
    await this.worker.terminate()
  }

  private fail(err: Error): void {
    this.broken ??= err
    for (const p of this.pending.values()) p.reject(this.broken)
    this.pending.clear()
  }
}

function ready(worker: Worker, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply<unknown>) => {
      if (reply.kind === 'ready') done(null)
      else if (reply.kind === 'failed') done(new Error(`A ${label} thread could not start: ${reply.message}`))
    }
    const onError = (err: Error) => done(new Error(`A ${label} thread failed to start: ${err.message}`))
    const onExit = (code: number) => done(new Error(`A ${label} thread exited while starting (code ${code})`))
    const done = (err: Error | null) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit)
      if (err) reject(err)
      else resolve()
    }
    worker.on('message', onMessage).on('error', onError).on('exit', onExit)
  })
}

/** `size` threads of `entry`, all ready; if any fails to start, the others are stopped and its reason thrown. */
export async function startThreads<Q, R>(size: number, entry: string, data: Record<string, unknown>, label: string): Promise<RequestThread<Q, R>[]> {
  if (!Number.isInteger(size) || size < 1) throw new InvalidArgumentError(`A ${label} thread pool needs at least one thread, got ${size}`)
  const started = await Promise.allSettled(Array.from({ length: size }, () => RequestThread.start<Q, R>(entry, data, label)))
  const threads = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failure) {
    await Promise.all(threads.map((t) => t.terminate()))
    throw failure.reason
  }
  return threads
}
