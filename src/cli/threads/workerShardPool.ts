// A GradientShardPool of Node worker threads, each with its own tfjs backend (tfjs-wasm runs one thread in Node, so
// this is how an SAE step uses every core). Threads start once and serve every step; a thread that fails or exits
// rejects the step it was computing and every later one, with the reason.
import os from 'node:os'
import { Worker } from 'node:worker_threads'
import type { BackendName } from '../../core/backend/backend.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import { shardable, type GradientShardPool, type ShardRequest, type ShardResult } from '../../core/sae/shards.ts'
import type { TrainArchitecture } from '../../core/sae/types.ts'
import type { ShardWorkerMessage, ShardWorkerReply } from './shardProtocol.ts'

const WORKER_URL = new URL('./shardWorker.mjs', import.meta.url)

/** Threads an SAE step uses by default: every core the process may use. */
export function defaultThreads(): number {
  return os.availableParallelism()
}

interface Pending {
  resolve: (r: ShardResult) => void
  reject: (e: Error) => void
}

class ShardThread {
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private broken: Error | null = null

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: ShardWorkerReply) => {
      if (reply.kind !== 'result' && reply.kind !== 'error') return
      const p = this.pending.get(reply.id)
      if (!p) return
      this.pending.delete(reply.id)
      if (reply.kind === 'result') p.resolve(reply.result)
      else p.reject(Object.assign(new Error(`A gradient thread failed: ${reply.message}`), { name: reply.name }))
    })
    worker.on('error', (err) => this.fail(new Error(`A gradient thread crashed: ${err.message}`)))
    worker.on('exit', (code) => this.fail(new Error(`A gradient thread exited (code ${code})`)))
  }

  compute(request: ShardRequest): Promise<ShardResult> {
    if (this.broken) return Promise.reject(this.broken)
    const id = this.nextId++
    return new Promise<ShardResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      // The rows are this request's own copy: transfer them. The parameters are shared by every request, so copied.
      this.worker.postMessage({ id, request } satisfies ShardWorkerMessage, [request.x.buffer as ArrayBuffer])
    })
  }

  async terminate(): Promise<void> {
    this.broken ??= new Error('The gradient threads were disposed')
    await this.worker.terminate()
  }

  private fail(err: Error): void {
    this.broken ??= err
    for (const p of this.pending.values()) p.reject(this.broken)
    this.pending.clear()
  }
}

export class WorkerShardPool implements GradientShardPool {
  private constructor(private readonly threads: ShardThread[]) {}

  get size(): number {
    return this.threads.length
  }

  /** Starts `size` threads on `backend` and waits until each has it ready. */
  static async create(size: number, backend: BackendName = 'wasm'): Promise<WorkerShardPool> {
    if (!Number.isInteger(size) || size < 1) throw new InvalidArgumentError(`A gradient thread pool needs at least one thread, got ${size}`)
    const workers = Array.from({ length: size }, () => new Worker(WORKER_URL, { workerData: { backend } }))
    try {
      await Promise.all(workers.map((w) => ready(w)))
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()))
      throw err
    }
    return new WorkerShardPool(workers.map((w) => new ShardThread(w)))
  }

  compute(requests: ShardRequest[]): Promise<ShardResult[]> {
    if (requests.length > this.threads.length) {
      return Promise.reject(new InvalidArgumentError(`${requests.length} shards for ${this.threads.length} gradient threads`))
    }
    return Promise.all(requests.map((r, i) => this.threads[i]!.compute(r)))
  }

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()))
  }
}

function ready(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: ShardWorkerReply) => {
      if (reply.kind === 'ready') done(null)
      else if (reply.kind === 'failed') done(new Error(`A gradient thread could not start its backend: ${reply.message}`))
    }
    const onError = (err: Error) => done(new Error(`A gradient thread failed to start: ${err.message}`))
    const onExit = (code: number) => done(new Error(`A gradient thread exited while starting (code ${code})`))
    const done = (err: Error | null) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit)
      if (err) reject(err)
      else resolve()
    }
    worker.on('message', onMessage).on('error', onError).on('exit', onExit)
  })
}

/**
 * The pool a Node command trains with: `threads` − 1 worker threads beside the trainer's own, or null where one thread
 * it is (threads ≤ 1, or an architecture whose selection spans the batch, said on stderr under `command`'s name).
 */
export async function shardPoolFor(threads: number, architecture: TrainArchitecture, command: string): Promise<WorkerShardPool | null> {
  if (threads <= 1) return null
  if (!shardable(architecture)) {
    process.stderr.write(`${command}: ${architecture} selects its latents across the whole batch, so its steps run on one thread\n`)
    return null
  }
  return WorkerShardPool.create(threads - 1)
}
