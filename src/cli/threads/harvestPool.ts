// A PassRunner (activationCache.ts) of Node worker threads, each with its own copy of the model: activation
// harvesting on every core. Each pass goes to the thread with the fewest in flight; results come back in any order
// and the harvest writes them in corpus order, so the file is the one a single thread writes.
import type { PassRunner } from '../../core/sae/activationCache.ts'
import type { HarvestWorkerData } from './harvestWorkerMain.ts'
import { startThreads, type RequestThread } from './requestThread.ts'

export class WorkerHarvestPool implements PassRunner {
  private constructor(private readonly threads: RequestThread<number[][], Float32Array>[]) {}

  /** How many passes run at once: one a thread. */
  get size(): number {
    return this.threads.length
  }

  /** Starts `size` threads, each loading the model, and waits until every one has it. */
  static async create(size: number, data: HarvestWorkerData): Promise<WorkerHarvestPool> {
    const threads = await startThreads<number[][], Float32Array>(size, './harvestWorkerMain.ts', { ...data }, 'harvest')
    return new WorkerHarvestPool(threads)
  }

  run(windows: number[][]): Promise<Float32Array> {
    const idle = this.threads.reduce((a, b) => (b.busy < a.busy ? b : a))
    return idle.request(windows)
  }

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()))
  }
}
