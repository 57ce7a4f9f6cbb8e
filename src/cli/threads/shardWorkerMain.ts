// The body of a gradient-shard worker thread: its own tfjs backend, one shard's step per request (shards.ts).
import { workerData } from 'node:worker_threads'
import { selectBackend, type BackendName } from '../../core/backend/backend.ts'
import { ortEncoderEngine, type EncoderEngine } from '../../core/sae/encoderEngine.ts'
import { computeShard, type ShardRequest, type ShardResult } from '../../core/sae/shards.ts'
import { ownedBuffers, serveRequests } from './workerServe.ts'

// Each thread is one core's worth: its encoder forward runs on onnxruntime with one intra-op thread.
let encoder: EncoderEngine | null = null

await serveRequests<ShardRequest, ShardResult>(
  async () => {
    await selectBackend([(workerData as { backend: BackendName }).backend])
  },
  async (request) => {
    const result = await computeShard(request, request.externalEncoder ? (encoder ??= await ortEncoderEngine(1)) : null)
    return { result, transfer: ownedBuffers([result.stats, result.fireCounts, ...Object.values(result.grads)]) }
  },
)
