// A GradientShardPool that computes its shards on the calling thread, one after another, with computeShard: the
// thread boundary aside, exactly what a worker does (the requests even go through structuredClone, as postMessage
// would). For tests of the split and its combination; `tamper` lets a test corrupt a result to show a check can fail;
// `encoder` is what a request that asks for an external encoder forward gets (a worker makes its own onnxruntime one).
import type { EncoderEngine } from '../encoderEngine.ts'
import { computeShard, type GradientShardPool, type ShardRequest, type ShardResult } from '../shards.ts'

export class InProcessShardPool implements GradientShardPool {
  calls = 0
  constructor(
    readonly size: number,
    private readonly tamper: (r: ShardResult) => ShardResult = (r) => r,
    private readonly encoder: EncoderEngine | null = null,
  ) {}

  async compute(requests: ShardRequest[]): Promise<ShardResult[]> {
    this.calls++
    const results: ShardResult[] = []
    for (const r of requests) results.push(this.tamper(await computeShard(structuredClone(r), r.externalEncoder ? this.encoder : null)))
    return results
  }

  async dispose(): Promise<void> {}
}
