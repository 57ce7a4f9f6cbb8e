// A browser training run refuses sizes that could never be allocated at once, before the buffer fill (minutes on
// a real model): a batch, a buffer or an SAE past the ceilings in INPUT_LIMITS. The CLI's twins are in
// src/cli/badInputMatrix.test.ts.
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { tfjsModelFromTensors } from '../model/tfjsEngine.ts'
import { makeTinyGpt2 } from '../testing/tinyModel.ts'
import { worldVocab } from '../world/tokenizerJson.ts'
import { TrainingRun } from './trainingRun.ts'
import { smallTrainingSettings } from './testing/trainingSettings.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const settings = smallTrainingSettings({ hook: 'blocks.0.hook_resid_post', architecture: 'standard' })

describe('a training run past the size ceilings', () => {
  it.each([
    [{ batchSize: 1e9 }, /^A batch: 1000000000 rows × 16 floats is 59\.6 GiB, over the 2 GiB limit$/],
    [{ bufferRows: 1e12 }, /^The activation buffer: 1000000000000 rows × 16 floats/],
    [{ dSae: 1e9 }, /d_in × d_sae \(16 × 1000000000\) is over the 1000000000-float limit for one SAE matrix/],
  ] as const)('%o is refused before the buffer fills', async (change, message) => {
    const t = makeTinyGpt2({ seed: 5, nLayers: 1, dModel: 16, nHeads: 2, vocab: worldVocab().length, nCtx: 16 })
    const model = tfjsModelFromTensors(t.config, t.tensors)
    try {
      let filled = 0
      await expect(TrainingRun.create(model, null, { ...settings, ...change }, { onPrepare: () => filled++ })).rejects.toThrow(message)
      expect(filled).toBe(0)
      // The same run at a sane size starts.
      const run = await TrainingRun.create(model, null, settings)
      run.dispose()
    } finally {
      model.dispose()
    }
  })
})
