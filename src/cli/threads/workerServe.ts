// The worker side of RequestThread: set up once (say "ready", or why not), then answer each request in arrival
// order with its result's buffers transferred, not copied.
import { parentPort } from 'node:worker_threads'
import type { WorkerReply, WorkerRequest } from './requestThread.ts'

/** The buffers of `arrays` that can be transferred: only arrays owning their whole buffer (never a view of a backend's memory). */
export function ownedBuffers(arrays: readonly (ArrayBufferView | undefined)[]): ArrayBuffer[] {
  const owned = arrays.filter((a): a is ArrayBufferView => a !== undefined && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength)
  return [...new Set(owned.map((a) => a.buffer as ArrayBuffer))]
}

export async function serveRequests<Q, R>(setUp: () => Promise<void>, handle: (request: Q) => Promise<{ result: R; transfer: ArrayBuffer[] }>): Promise<void> {
  const port = parentPort
  if (!port) throw new Error('serveRequests runs only in a worker thread')
  const post = (reply: WorkerReply<R>, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer)
  try {
    await setUp()
  } catch (err) {
    post({ kind: 'failed', message: err instanceof Error ? err.message : String(err) })
    return
  }
  // One request at a time, in arrival order: a second waits for the first to finish.
  let queue: Promise<void> = Promise.resolve()
  port.on('message', ({ id, request }: WorkerRequest<Q>) => {
    queue = queue.then(async () => {
      try {
        const { result, transfer } = await handle(request)
        post({ kind: 'result', id, result }, transfer)
      } catch (err) {
        post({ kind: 'error', id, name: err instanceof Error ? err.name : 'Error', message: err instanceof Error ? err.message : String(err) })
      }
    })
  })
  post({ kind: 'ready' })
}
