// A GradientShardPool of Node worker threads, each with its own tfjs backend (tfjs-wasm runs one thread in Node, so
// this is how an SAE step uses every core). Threads start once and serve every step.
import os from 'node:os'
import type { BackendName } from '../../core/backend/backend.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { GradientShardPool, ShardRequest, ShardResult } from '../../core/sae/shards.ts'
import { startThreads, type RequestThread } from './requestThread.ts'

/** Threads a command uses by default: every core the process may use. */
export function defaultThreads(): number {
  return os.availableParallelism()
}

export class WorkerShardPool implements GradientShardPool {
  private constructor(private readonly threads: RequestThread<ShardRequest, ShardResult>[]) {}

  get size(): number {
    return this.threads.length
  }

  /** Starts `size` threads on `backend` and waits until each has it ready. */
  static async create(size: number, backend: BackendName = 'wasm'): Promise<WorkerShardPool> {
    const threads = await startThreads<ShardRequest, ShardResult>(size, './shardWorkerMain.ts', { backend }, 'gradient')
    return new WorkerShardPool(threads)
  }

  compute(requests: ShardRequest[]): Promise<ShardResult[]> {
    if (requests.length > this.threads.length) {
      return Promise.reject(new InvalidArgumentError(`${requests.length} shards for ${this.threads.length} gradient threads`))
    }
    // The rows are each request's own copy: transferred. The parameters are shared by every request, so copied.
    return Promise.all(requests.map((r, i) => this.threads[i]!.request(r, [r.x.buffer as ArrayBuffer])))
  }

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()))
  }
}
