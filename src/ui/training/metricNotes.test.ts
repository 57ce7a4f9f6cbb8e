// The two "dead" numbers (chart and final line) each name their window, and the chart's is the trainer's own.
import { describe, expect, it } from 'vitest'
import { trainerOptions } from '../../core/sae/trainingRun.ts'
import { defaultTrainingSettings } from '../../core/sae/trainingRunSettings.ts'
import { deadNotes } from './metricNotes.ts'

describe('deadNotes', () => {
  it('labels the chart with the trainer’s dead window and the final line with its fresh sample', () => {
    const s = { ...defaultTrainingSettings(128, 256), steps: 150, batchSize: 256, sparsityRows: 8192 }
    const window = trainerOptions(s, 128, 1).deadWindowTokens!
    expect(window).toBe(7680)
    const notes = deadNotes(s)
    expect(notes.chart).toContain('7,680 tokens of training')
    expect(notes.finalSample).toContain('8,192 tokens fresh after training')
    expect(notes.finalDead).toMatch(/never fired/)
  })

  it('follows the run’s size (a fifth of its tokens, at least one batch)', () => {
    const s = defaultTrainingSettings(128, 256)
    expect(deadNotes({ ...s, steps: 3, batchSize: 64 }).chart).toContain(' 64 tokens')
    expect(deadNotes({ ...s, steps: 1000, batchSize: 512 }).chart).toContain('102,400 tokens')
  })
})
