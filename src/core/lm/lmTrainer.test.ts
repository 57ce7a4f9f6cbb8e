import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { tfjsModelFromTensors } from '../model/tfjsEngine.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import { initGpt2Tensors } from '../model/init.ts'
import type { Gpt2Config } from '../model/config.ts'
import { evaluateDocuments } from './evaluate.ts'
import { LmTrainer, type LmTrainOptions } from './lmTrainer.ts'
import { worldTrainBatch } from './worldBatches.ts'

const config: Gpt2Config = { vocabSize: 40, nCtx: 16, dModel: 16, nLayers: 1, nHeads: 2, dMlp: 32, layerNormEps: 1e-5, activation: 'gelu_new', bosTokenId: 0, eosTokenId: 0 }
const opts: LmTrainOptions = {
  schedule: { peak: 1e-2, warmupSteps: 2, totalSteps: 40, floorRatio: 0.1 },
  clipNorm: 1,
  adam: { beta1: 0.9, beta2: 0.95, epsilon: 1e-8 },
}
// A deterministic language: each row counts upward mod 10 from a different start.
const batchAt = (step: number): number[][] => Array.from({ length: 4 }, (_, r) => Array.from({ length: 9 }, (_, i) => 1 + ((step + r + i) % 10)))

beforeAll(async () => {
  await selectBackend(['wasm', 'cpu'])
})

describe('LmTrainer', () => {
  it('learns a deterministic sequence and does not leak tensors', async () => {
    const model = tfjsModelFromTensors(config, initGpt2Tensors(config, { seed: 3 }))
    const trainer = new LmTrainer(model.differentiable(), opts)
    const first = trainer.trainStep(batchAt(0)).loss
    const before = tf.memory().numTensors
    let last = first
    for (let s = 1; s < 40; s++) last = trainer.trainStep(batchAt(s)).loss
    expect(tf.memory().numTensors).toBe(before)
    expect(last).toBeLessThan(first * 0.3)
    // forced accuracy on the same language: every next token is determined
    const ev = await evaluateDocuments(model, [{ ids: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2], forced: Array(12).fill(true) }])
    expect(ev.forcedAccuracy).toBeGreaterThan(0.8)
    trainer.dispose()
    model.dispose()
  })

  it('resumes from saved parameters and optimizer state bit-identically', async () => {
    const run = (steps: number, model: HookedModel, trainer: LmTrainer) => {
      for (let s = trainer.step; s < steps; s++) trainer.trainStep(batchAt(s))
    }
    const a = tfjsModelFromTensors(config, initGpt2Tensors(config, { seed: 5 }))
    const ta = new LmTrainer(a.differentiable(), opts)
    run(6, a, ta)
    const params = await a.exportTensors()
    const optState = await ta.optimizer.state()
    run(10, a, ta)

    const b = tfjsModelFromTensors(config, params)
    const tb = new LmTrainer(b.differentiable(), opts)
    tb.optimizer.restore(optState.tensors, optState.step)
    run(10, b, tb)
    const pa = await a.exportTensors()
    const pb = await b.exportTensors()
    for (const [name, entry] of pa) expect(Array.from(pb.get(name)!.data), name).toEqual(Array.from(entry.data))
    for (const x of [ta, tb, a, b]) x.dispose()
  })
})

describe('worldTrainBatch', () => {
  it('is a pure function of (seed, step) with the requested shape', async () => {
    const a = worldTrainBatch(1, 7, 3, 20)
    expect(a).toHaveLength(3)
    expect(a.every((row) => row.length === 21)).toBe(true)
    expect(worldTrainBatch(1, 7, 3, 20)).toEqual(a)
    expect(worldTrainBatch(1, 8, 3, 20)).not.toEqual(a)
    expect(worldTrainBatch(2, 7, 3, 20)).not.toEqual(a)
    expect(a[0]).not.toEqual(a[1])
  })
})
