// The training worker's activation store on every core: one harvest worker per core, each with its own copy of the
// model, runs the store's forward passes while this worker trains (the store consumes them in corpus order, so
// the batches are the same as without them). Used on WASM only (on WebGPU the GPU does the work), for tfjs models
// up to MAX_PARAMETERS (every worker holds a copy). A worker that fails to start costs nothing: training then runs
// its passes here, as before.
import type { Gpt2Config } from '../core/model/config.ts'
import type { HarvestWorkerRequest, HarvestWorkerResponse } from './harvestProtocol.ts'
import type { DisposablePassRunner, PassRunnerArgs } from './trainingSession.ts'

/** Largest model (parameters) copied into harvest workers: 64 M float32 parameters is 256 MB a copy. */
export const MAX_PARAMETERS = 64e6

/** GPT-2-style parameter count: embeddings plus 12·d² a block. */
export function approximateParameters(c: Pick<Gpt2Config, 'vocabSize' | 'nCtx' | 'dModel' | 'nLayers'>): number {
  return (c.vocabSize + c.nCtx) * c.dModel + c.nLayers * 12 * c.dModel * c.dModel
}

interface HarvestThread {
  worker: Worker
  busy: number
  pending: Map<number, { resolve: (d: Float32Array) => void; reject: (e: Error) => void }>
}

async function startWorker(args: PassRunnerArgs): Promise<HarvestThread> {
  // async: a worker the page may not create (a CSP, a SecurityError) rejects like one that fails later.
  const worker = new Worker(new URL('./harvestWorker.ts', import.meta.url), { type: 'module', name: 'monoscope harvest' })
  const thread: HarvestThread = { worker, busy: 0, pending: new Map() }
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<HarvestWorkerResponse>) => {
      const r = event.data
      if (r.type === 'ready') resolve(thread)
      else if (r.type === 'failed') reject(new Error(r.message))
      else {
        const p = thread.pending.get(r.id)
        if (!p) return
        thread.pending.delete(r.id)
        thread.busy--
        if (r.type === 'result') p.resolve(r.data)
        else p.reject(new Error(`A harvest worker failed: ${r.message}`))
      }
    }
    worker.onerror = (event) => {
      const err = new Error(`A harvest worker crashed: ${event.message}`)
      reject(err)
      for (const p of thread.pending.values()) p.reject(err)
      thread.pending.clear()
    }
    const init: HarvestWorkerRequest = { type: 'init', source: args.source, hubEndpoint: args.hubEndpoint, backend: args.backend, hook: args.hook, skipBos: args.skipBos }
    worker.postMessage(init)
  })
}

/** One harvest worker per core, or null where they would not help (or could not start). */
export async function startHarvestWorkers(args: PassRunnerArgs): Promise<DisposablePassRunner | null> {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1
  // tfjs models only: an ONNX model's passes run on onnxruntime-web, which has WASM threads of its own.
  if (args.backend !== 'wasm' || args.model.engine.kind === 'onnx' || cores < 2 || approximateParameters(args.model.config) > MAX_PARAMETERS) return null
  const started = await Promise.allSettled(Array.from({ length: cores }, () => startWorker(args)))
  const threads = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed) {
    threads.forEach((t) => t.worker.terminate())
    console.warn('[monoscope training] harvest workers did not start; passes run in the training worker:', failed.reason)
    return null
  }
  let nextId = 0
  console.info(`[monoscope training] harvesting activations on ${threads.length} workers`)
  return {
    size: threads.length,
    run(windows) {
      const thread = threads.reduce((a, b) => (b.busy < a.busy ? b : a))
      const id = nextId++
      thread.busy++
      return new Promise<Float32Array>((resolve, reject) => {
        thread.pending.set(id, { resolve, reject })
        thread.worker.postMessage({ type: 'pass', id, windows } satisfies HarvestWorkerRequest)
      })
    },
    dispose() {
      threads.forEach((t) => t.worker.terminate())
    },
  }
}
