// training_settings.json repeats a Matryoshka run in SAELens's runner names: architecture, k and matryoshka_widths.
import { describe, expect, it } from 'vitest'
import { smallTrainingSettings } from '../core/sae/testing/trainingSettings.ts'
import type { TrainingRunSettings } from '../core/sae/trainingRunSettings.ts'
import type { RunRecord } from './trainingDb.ts'
import { trainingSettingsJson } from './trainingExport.ts'

const record = (settings: TrainingRunSettings) => ({ name: 'r', modelSource: 'models/tinyworld', backend: 'wasm', fineTunedFrom: null, settings, final: null }) as unknown as RunRecord

describe('training_settings.json', () => {
  it('gives SAELens the Matryoshka widths (the default levels when none were typed) and k', () => {
    const typed = trainingSettingsJson(record(smallTrainingSettings({ architecture: 'matryoshka_batchtopk', dSae: 64, k: 4, matryoshkaWidths: [8, 32, 64] })))
    expect(typed.saelens_runner_config).toMatchObject({ architecture: 'matryoshka_batchtopk', d_sae: 64, k: 4, matryoshka_widths: [8, 32, 64] })
    const blank = trainingSettingsJson(record(smallTrainingSettings({ architecture: 'matryoshka_batchtopk', dSae: 64, k: 4 })))
    expect((blank.saelens_runner_config as Record<string, unknown>).matryoshka_widths).toEqual([2, 8, 16, 64])
    const topk = trainingSettingsJson(record(smallTrainingSettings({ architecture: 'topk' })))
    expect(topk.saelens_runner_config).not.toHaveProperty('matryoshka_widths')
  })
})
