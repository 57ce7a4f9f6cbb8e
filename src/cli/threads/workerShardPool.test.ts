// The worker-thread shard pool: real Node worker threads (each with its own tfjs-wasm) compute row shards whose
// combination equals the one-thread step; a failing shard says why and leaves the pool usable; a disposed pool
// refuses work. The split's arithmetic is tested in src/core/sae/shards.test.ts with an in-process pool.
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../core/backend/backend.ts'
import { worstRelativeDiff } from '../../core/sae/testing/checkpointDiff.ts'
import { randomTensor } from '../../core/sae/testing/random.ts'
import { SaeTrainer } from '../../core/sae/trainer.ts'
import type { ShardRequest } from '../../core/sae/shards.ts'
import { WorkerShardPool } from './workerShardPool.ts'

let pool: WorkerShardPool

beforeAll(async () => {
  await selectBackend(['wasm'])
  pool = await WorkerShardPool.create(1)
}, 60_000)
afterAll(async () => {
  await pool.dispose()
})

const options = { architecture: 'topk' as const, dIn: 16, dSae: 64, k: 4, totalSteps: 50, lr: 1e-2, logEvery: 1000, checkpointEvery: 0 }

describe('WorkerShardPool', () => {
  it('trains like one thread: parameters and Adam moments agree after steps split over a worker thread', async () => {
    const one = SaeTrainer.create(options)
    const split = SaeTrainer.create(options)
    split.useThreads(pool)
    try {
      for (let step = 0; step < 4; step++) {
        const batch = randomTensor([256, options.dIn], 40 + step) as tf.Tensor2D
        const [a, b] = [await one.trainStep(batch), await split.trainStep(batch)]
        batch.dispose()
        expect(Math.abs(a.loss - b.loss) / a.loss).toBeLessThan(1e-5)
      }
      const worst = worstRelativeDiff(await one.checkpoint(), await split.checkpoint())
      expect(worst.value, `${worst.name}: relative max abs diff`).toBeLessThan(2e-4)
    } finally {
      one.dispose()
      split.dispose()
    }
  })

  it('a shard that fails says why, and the pool computes the next one', async () => {
    const trainer = SaeTrainer.create(options)
    const ckpt = await trainer.checkpoint()
    trainer.dispose()
    const params = Object.fromEntries(['W_enc', 'b_enc', 'W_dec_T', 'b_dec'].map((name) => [name, ckpt.tensors[name]!.data]))
    const request = (rows: number, values: number): ShardRequest => ({
      config: ckpt.config,
      params,
      x: new Float32Array(values).fill(0.5),
      rows,
      coefficient: 0,
      dead: null,
      deadCount: 0,
      path: 'auto',
      externalEncoder: false,
    })
    await expect(pool.compute([request(8, 8 * 16 - 1)])).rejects.toThrow(/A gradient thread failed: A shard of 8 rows needs 128 values, got 127/)
    const [result] = await pool.compute([request(8, 8 * 16)])
    expect(result!.rows).toBe(8)
    expect(result!.grads.W_enc!.length).toBe(16 * 64)
    expect(result!.fireCounts.reduce((a, b) => a + b, 0)).toBe(8 * options.k) // k latents fire on each of the 8 rows
    await expect(pool.compute([request(8, 128), request(8, 128)])).rejects.toThrow(/2 shards for 1 gradient threads/)
  })

  it('refuses work once disposed, and needs at least one thread', async () => {
    const spare = await WorkerShardPool.create(1)
    await spare.dispose()
    await expect(spare.compute([{ x: new Float32Array(4) } as ShardRequest])).rejects.toThrow(/disposed/)
    await expect(WorkerShardPool.create(0)).rejects.toThrow(/at least one thread/)
  })
})
