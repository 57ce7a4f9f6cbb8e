// A browser run's settings for Matryoshka BatchTopK: widths validated against d_sae, and passed to the trainer
// (the default levels when the form left them blank), never to another architecture.
import { describe, expect, it } from 'vitest'
import { smallTrainingSettings } from './testing/trainingSettings.ts'
import { resolveTrainerConfig } from './trainerConfig.ts'
import { trainerOptions } from './trainingRun.ts'
import { validateTrainingSettings } from './trainingRunSettings.ts'

const matryoshka = smallTrainingSettings({ architecture: 'matryoshka_batchtopk', dSae: 64, k: 4 })

describe('Matryoshka training settings', () => {
  it('accepts given or absent widths and hands the trainer both k and the widths', () => {
    const given = validateTrainingSettings({ ...matryoshka, matryoshkaWidths: [5, 20, 64] })
    const opts = trainerOptions(given, 16, 0.5)
    expect(opts).toMatchObject({ architecture: 'matryoshka_batchtopk', k: 4, matryoshkaWidths: [5, 20, 64] })
    expect(resolveTrainerConfig(opts).matryoshkaWidths).toEqual([5, 20, 64])
    expect(trainerOptions(validateTrainingSettings(matryoshka), 16, 0.5).matryoshkaWidths).toEqual([2, 8, 16, 64])
  })

  it('refuses widths that do not fit d_sae, and widths on another architecture', () => {
    expect(() => validateTrainingSettings({ ...matryoshka, matryoshkaWidths: [5, 20, 32] })).toThrow(/last matryoshka width must be d_sae \(64\)/)
    expect(() => validateTrainingSettings({ ...matryoshka, matryoshkaWidths: [20, 5, 64] })).toThrow(/strictly ascending/)
    expect(() => validateTrainingSettings({ ...matryoshka, k: 65 })).toThrow(/k must be between 1 and d_sae/)
    expect(() => validateTrainingSettings({ ...matryoshka, architecture: 'topk', matryoshkaWidths: [8, 64] })).toThrow(/matryoshka_batchtopk only/)
    expect(trainerOptions(smallTrainingSettings({ architecture: 'batchtopk' }), 16, 1)).not.toHaveProperty('matryoshkaWidths')
  })
})
