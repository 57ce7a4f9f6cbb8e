// The body of a gradient-shard worker thread: selects the backend it was told, says when it is ready, then computes
// one shard per message (shards.ts) and posts the results back with their buffers transferred, not copied.
import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { selectBackend, type BackendName } from '../../core/backend/backend.ts'
import { computeShard, type ShardRequest } from '../../core/sae/shards.ts'
import type { ShardWorkerMessage, ShardWorkerReply } from './shardProtocol.ts'

const port = parentPort
if (!port) throw new Error('shardWorkerMain.ts runs only as a worker thread')

const post = (reply: ShardWorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer)

try {
  await selectBackend([(workerData as { backend: BackendName }).backend])
  post({ kind: 'ready', backend: tf.getBackend() })
} catch (err) {
  post({ kind: 'failed', message: err instanceof Error ? err.message : String(err) })
}

// One shard at a time, in arrival order: a second message waits for the first to finish.
let queue: Promise<void> = Promise.resolve()
port.on('message', (message: ShardWorkerMessage) => {
  queue = queue.then(() => handle(message.id, message.request))
})

async function handle(id: number, request: ShardRequest): Promise<void> {
  try {
    const result = await computeShard(request)
    // Transfer only arrays that own their whole buffer: a view into a larger one (a backend's memory) must be copied.
    const owned = [result.stats, result.fireCounts, ...Object.values(result.grads)].filter((a) => a!.byteOffset === 0 && a!.byteLength === a!.buffer.byteLength)
    post({ kind: 'result', id, result }, [...new Set(owned.map((a) => a!.buffer as ArrayBuffer))])
  } catch (err) {
    post({ kind: 'error', id, name: err instanceof Error ? err.name : 'Error', message: err instanceof Error ? err.message : String(err) })
  }
}
