// Messages between the trainer's thread and a gradient-shard worker thread.
import type { ShardRequest, ShardResult } from '../../core/sae/shards.ts'

export interface ShardWorkerMessage {
  id: number
  request: ShardRequest
}

export type ShardWorkerReply =
  | { kind: 'ready'; backend: string }
  | { kind: 'failed'; message: string }
  | { kind: 'result'; id: number; result: ShardResult }
  | { kind: 'error'; id: number; name: string; message: string }
