// A GradientShardPool that computes its shards on the calling thread, one after another, with computeShard: the
// thread boundary aside, exactly what a worker does (the requests even go through structuredClone, as postMessage
// would). For tests of the split and its combination; `tamper` lets a test corrupt a result to show a check can fail.
import { computeShard, type GradientShardPool, type ShardRequest, type ShardResult } from '../shards.ts'

export class InProcessShardPool implements GradientShardPool {
  calls = 0
  constructor(
    readonly size: number,
    private readonly tamper: (r: ShardResult) => ShardResult = (r) => r,
  ) {}

  async compute(requests: ShardRequest[]): Promise<ShardResult[]> {
    this.calls++
    const results: ShardResult[] = []
    for (const r of requests) results.push(this.tamper(await computeShard(structuredClone(r))))
    return results
  }

  async dispose(): Promise<void> {}
}
