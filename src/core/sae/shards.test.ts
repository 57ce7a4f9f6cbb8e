// A step split into row shards (shards.ts) equals the one-thread step: losses, parameters and Adam moments after
// several steps, for every architecture that splits, with and without AuxK; the ones that select across the batch
// never split; a failing shard leaves the trainer as it was. The pool here computes in-process (the worker-thread
// pool is tested in src/cli/threads/workerShardPool.test.ts).
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { shardable, splitRows, type ShardResult } from './shards.ts'
import { setStepPath, type StepPath } from './stepPath.ts'
import { worstRelativeDiff } from './testing/checkpointDiff.ts'
import { InProcessShardPool } from './testing/inProcessShardPool.ts'
import { randomTensor } from './testing/random.ts'
import { failThenMend, stepTwins } from './testing/trainerTwins.ts'
import { SaeTrainer } from './trainer.ts'
import type { TrainArchitecture } from './types.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})
afterEach(() => setStepPath('auto'))

const dIn = 12
const dSae = 48
const n = 200 // split 3 ways: 67, 67, 66 rows, so an unweighted mean of the shards would be wrong

describe('splitRows', () => {
  it('covers every row in near-equal shards of at least minRows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 300 }), (rows, parts, minRows) => {
        const sizes = splitRows(rows, parts, minRows)
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(rows)
        expect(sizes.length).toBeLessThanOrEqual(parts)
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
        if (sizes.length > 1) expect(Math.min(...sizes)).toBeGreaterThanOrEqual(minRows)
      }),
    )
    expect(splitRows(1024, 2, 64)).toEqual([512, 512])
    expect(splitRows(100, 2, 64)).toEqual([100])
    expect(() => splitRows(0, 2)).toThrow(/Cannot split 0 rows/)
  })
})

/** A trainer with `pool` and one without, stepped on the same batches; both checkpoints and the step results. */
async function trainPair(architecture: TrainArchitecture, extra: Record<string, number | boolean | number[]>, pool: InProcessShardPool, path: StepPath, steps = 5) {
  const options = { architecture, dIn, dSae, totalSteps: 100, logEvery: 1000, checkpointEvery: 0, k: 3, lr: 1e-2, ...extra }
  const run = await stepTwins(options, (t) => t.useThreads(pool), path, steps, n, 300)
  expect(run.leaked, 'no tensor leaks').toBe(0)
  return { one: run.plain, split: run.other, losses: run.losses }
}

describe('a step split into row shards equals the one-thread step', () => {
  const cases: Array<[TrainArchitecture, Record<string, number | boolean>, StepPath]> = [
    ['standard', { l1Coefficient: 0.5, sparsityWarmupFraction: 0 }, 'dense'],
    ['standard', { l1Coefficient: 0.5, sparsityWarmupFraction: 0 }, 'sparse'],
    ['topk', { auxKCoefficient: 0 }, 'sparse'],
    ['topk', { dSae: 512, k: 1, deadWindowTokens: 16, kAux: 5, auxKCoefficient: 0.5 }, 'sparse'], // 200 selections of 512 latents: most are dead after a step and AuxK runs
    ['topk', { dSae: 512, k: 1, deadWindowTokens: 16, kAux: 5, auxKCoefficient: 0.5 }, 'dense'],
    ['jumprelu', { l0Coefficient: 0.1, jumpReluBandwidth: 0.5, sparsityWarmupFraction: 0 }, 'sparse'],
    ['jumprelu', { l0Coefficient: 0.1, jumpReluBandwidth: 0.5, sparsityWarmupFraction: 0, applyBDecToInput: false }, 'dense'],
  ]
  for (const [architecture, extra, path] of cases) {
    it(`${architecture} (${path}) ${JSON.stringify(extra)}`, async () => {
      const pool = new InProcessShardPool(2)
      const { one, split, losses } = await trainPair(architecture, extra, pool, path)
      expect(pool.calls, 'every step was split').toBe(5)
      for (const [a, b] of losses) expect(Math.abs(a - b) / Math.abs(a)).toBeLessThan(1e-5)
      if ('kAux' in extra) expect(one.state.window.aux, 'AuxK should have run').toBeGreaterThan(0)
      const worst = worstRelativeDiff(one, split)
      expect(worst.value, `${worst.name}: relative max abs diff`).toBeLessThan(2e-4)
      // The logged window (sums over steps) matches too: sse and sst over the whole batch, fire counts summed.
      for (const key of ['loss', 'mse', 'sparsity', 'aux', 'sse', 'sst'] as const) {
        expect(Math.abs(split.state.window[key] - one.state.window[key]), key).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(one.state.window[key])))
      }
    })
  }

  it('detects a wrong combination (the comparison can fail): one shard computed on its rows but weighted as more', async () => {
    const pool = new InProcessShardPool(2, (r: ShardResult) => ({ ...r, rows: r.rows + 40 }))
    const { one, split } = await trainPair('topk', { auxKCoefficient: 0 }, pool, 'sparse')
    expect(worstRelativeDiff(one, split).value).toBeGreaterThan(1e-2)
  })

  it('never splits BatchTopK or Matryoshka BatchTopK, whose selection spans the batch', async () => {
    expect(shardable('batchtopk')).toBe(false)
    expect(shardable('matryoshka_batchtopk')).toBe(false)
    for (const architecture of ['batchtopk', 'matryoshka_batchtopk'] as const) {
      const pool = new InProcessShardPool(2)
      const extra: Record<string, number[]> = architecture === 'matryoshka_batchtopk' ? { matryoshkaWidths: [12, 48] } : {}
      const { one, split } = await trainPair(architecture, extra, pool, 'auto', 2)
      expect(pool.calls).toBe(0)
      expect(worstRelativeDiff(one, split).value).toBe(0)
    }
  })

  it('a failing shard rejects the step and leaves the trainer as it was, with no tensors left behind', async () => {
    const pool = new InProcessShardPool(1, () => {
      throw new Error('shard thread lost')
    })
    const run = await failThenMend({ architecture: 'topk', dIn, dSae, totalSteps: 10, k: 3 }, n, (t) => t.useThreads(pool), (t) => t.useThreads(null))
    expect(String(run.error)).toMatch(/shard thread lost/)
    expect(run, 'and it trains on alone').toMatchObject({ leaked: 0, stepAfterFailure: 0, changed: 0, stepAfterMend: 1 })
  })

  it('keeps a small batch on one thread (below twice MIN_SHARD_ROWS)', async () => {
    const pool = new InProcessShardPool(1)
    const trainer = SaeTrainer.create({ architecture: 'topk', dIn, dSae, totalSteps: 10, k: 3 })
    trainer.useThreads(pool)
    const batch = randomTensor([100, dIn], 8) as tf.Tensor2D
    try {
      await trainer.trainStep(batch)
      expect(pool.calls).toBe(0)
    } finally {
      batch.dispose()
      trainer.dispose()
    }
  })
})
