// A training run small enough for a unit test on a tiny model (16 positions, 32 latents, a few steps): the
// settings the training tests share, each overriding what it is about.
import type { TrainingRunSettings } from '../trainingRunSettings.ts'

export const smallTrainingSettings = (over: Partial<TrainingRunSettings> = {}): TrainingRunSettings => ({
  hook: 'blocks.1.hook_resid_post',
  architecture: 'topk',
  dSae: 32,
  l1Coefficient: 5,
  k: 4,
  lr: 3e-3,
  steps: 8,
  batchSize: 32,
  seed: 7,
  corpus: { kind: 'world', seed: 3 },
  contextSize: 16,
  bufferRows: 256,
  normRows: 128,
  ceEvery: 4,
  ceWindows: 2,
  sparsityRows: 128,
  logEvery: 2,
  checkpointEvery: 3,
  ...over,
})
