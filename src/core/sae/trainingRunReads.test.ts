// The SAE training path reads tensors back only asynchronously: tfjs-webgpu's synchronous readback (dataSync) goes
// through a canvas, which is slow and, on Chromium's software adapter in a worker, returns zeros. This test fails
// if any step of a run — buffer fill, norm estimate, steps, logs, CE, checkpoints, the final density pass —
// reads a tensor synchronously.
import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { tfjsModelFromTensors } from '../model/tfjsEngine.ts'
import { makeTinyGpt2 } from '../testing/tinyModel.ts'
import { worldVocab } from '../world/tokenizerJson.ts'
import { TrainingRun } from './trainingRun.ts'
import type { TrainingRunSettings } from './trainingRunSettings.ts'
import { smallTrainingSettings } from './testing/trainingSettings.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

afterEach(() => {
  vi.restoreAllMocks()
})

const settings = (architecture: TrainingRunSettings['architecture']): TrainingRunSettings => smallTrainingSettings({ architecture })

describe('the training path', () => {
  it.each(['topk', 'batchtopk', 'standard', 'jumprelu'] as const)('%s: never reads a tensor synchronously', async (architecture) => {
    const t = makeTinyGpt2({ seed: 5, nLayers: 2, dModel: 16, nHeads: 2, vocab: worldVocab().length, nCtx: 16 })
    const model = tfjsModelFromTensors(t.config, t.tensors)
    const syncReads = [vi.spyOn(tf.Tensor.prototype, 'dataSync'), vi.spyOn(tf.Tensor.prototype, 'arraySync'), vi.spyOn(tf.Tensor.prototype, 'bufferSync')]
    const run = await TrainingRun.create(model, null, settings(architecture))
    try {
      while (!run.done) {
        await run.trainStep()
        if (run.step % 3 === 0) await run.checkpoint()
      }
      const result = await run.finish({ modelName: 'tiny', datasetPath: 'tinyworld:seed=3' })
      // The run did what the spies watched: logs, CE measurements and a density pass.
      expect(run.log.length).toBeGreaterThanOrEqual(4)
      expect(run.ce.length).toBeGreaterThanOrEqual(2)
      expect(result.final.l0).toBeGreaterThan(0)
      for (const spy of syncReads) expect(spy).not.toHaveBeenCalled()
    } finally {
      run.dispose()
      model.dispose()
    }
  })

  it('resuming a run (fast-forwarding its data) and fine-tuning its SAE never read a tensor synchronously', async () => {
    const t = makeTinyGpt2({ seed: 5, nLayers: 2, dModel: 16, nHeads: 2, vocab: worldVocab().length, nCtx: 16 })
    const model = tfjsModelFromTensors(t.config, t.tensors)
    const syncReads = [vi.spyOn(tf.Tensor.prototype, 'dataSync'), vi.spyOn(tf.Tensor.prototype, 'arraySync'), vi.spyOn(tf.Tensor.prototype, 'bufferSync')]
    const meta = { modelName: 'tiny', datasetPath: 'tinyworld:seed=3' }
    const runs: TrainingRun[] = []
    try {
      const first = await TrainingRun.create(model, null, settings('topk'))
      runs.push(first)
      while (first.step < 5) await first.trainStep()
      const resumed = await TrainingRun.create(model, null, settings('topk'), { resume: { checkpoint: await first.checkpoint(), progress: { log: first.log, ce: first.ce } } })
      runs.push(resumed)
      expect(resumed.step).toBe(5)
      while (!resumed.done) await resumed.trainStep()
      const trained = await resumed.finish(meta)
      // The fine-tune re-estimates the input scale on its own data stream before its first step.
      const tuned = await TrainingRun.create(model, null, { ...settings('topk'), seed: 11, corpus: { kind: 'world', seed: 4 } }, { fineTune: { config: trained.config, arrays: trained.arrays } })
      runs.push(tuned)
      while (!tuned.done) await tuned.trainStep()
      expect((await tuned.finish(meta)).final.l0).toBeGreaterThan(0)
      for (const spy of syncReads) expect(spy).not.toHaveBeenCalled()
    } finally {
      for (const run of runs) run.dispose()
      model.dispose()
    }
  })
})
