// Which actions a saved run offers: Resume only where a checkpoint exists; a run cut off before its first one
// offers Restart (fresh runs) and Delete; the run training in this tab offers Pause and Cancel.
import { describe, expect, it } from 'vitest'
import { runOffers, runStatusText, type RunFacts } from './runOffers.ts'

const run = (over: Partial<RunFacts>): RunFacts => ({ status: 'interrupted', hasCheckpoint: true, fineTunedFrom: null, ...over })
const offered = (facts: RunFacts, active = false) =>
  Object.entries(runOffers(facts, active))
    .filter(([, on]) => on)
    .map(([name]) => name)

describe('runOffers', () => {
  it('an interrupted run with a checkpoint resumes', () => {
    expect(offered(run({}))).toEqual(['resume', 'cancel'])
    expect(runStatusText(run({}))).toBe('interrupted (resumable)')
    expect(offered(run({ status: 'paused' }))).toEqual(['resume', 'cancel'])
  })

  it('an interrupted run without a checkpoint offers Restart and Delete, never Resume', () => {
    expect(offered(run({ hasCheckpoint: false }))).toEqual(['restart', 'delete'])
    expect(runStatusText(run({ hasCheckpoint: false }))).toBe('interrupted before its first checkpoint: restart it')
  })

  it('a fine-tune cut off before its first checkpoint (its starting SAE unsaved) can only be deleted', () => {
    const ft = run({ hasCheckpoint: false, fineTunedFrom: 'tinyworld/standard-1024' })
    expect(offered(ft)).toEqual(['delete'])
    expect(runStatusText(ft)).toMatch(/start the fine-tune again from the form/)
  })

  it('a failed run resumes from its last good checkpoint, else restarts', () => {
    expect(offered(run({ status: 'failed' }))).toEqual(['resume', 'delete'])
    expect(offered(run({ status: 'failed', hasCheckpoint: false }))).toEqual(['restart', 'delete'])
  })

  it('the run training here pauses or cancels; a finished one opens and deletes', () => {
    expect(offered(run({ status: 'running', hasCheckpoint: false }), true)).toEqual(['pause', 'cancel'])
    expect(offered(run({ status: 'preparing', hasCheckpoint: false }), true)).toEqual(['pause', 'cancel'])
    expect(offered(run({ status: 'finished', hasCheckpoint: false }))).toEqual(['delete', 'finished'])
  })
})
