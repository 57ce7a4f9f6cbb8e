import { beforeEach, describe, expect, it } from 'vitest'
import { useTutorialProgress } from './progressStore.ts'
import { TUTORIALS } from './tutorials.ts'

describe('tutorial progress', () => {
  beforeEach(() => useTutorialProgress.setState({ active: null, completed: [], introAnswered: false }))

  it('walks the steps, keeps what they remember, and completes the tutorial after the last', () => {
    const s = useTutorialProgress.getState()
    s.start('feature')
    expect(useTutorialProgress.getState()).toMatchObject({ active: { id: 'feature', step: 0 }, introAnswered: true })
    s.advance(3)
    s.advance(3, { bridge: 444 })
    expect(useTutorialProgress.getState().active).toEqual({ id: 'feature', step: 2, memory: { bridge: 444 } })
    s.advance(3)
    expect(useTutorialProgress.getState()).toMatchObject({ active: null, completed: ['feature'] })
    s.start('feature')
    s.exit()
    expect(useTutorialProgress.getState()).toMatchObject({ active: null, completed: ['feature'] })
  })

  it('has three tutorials whose steps each name what to do and where', () => {
    expect(TUTORIALS.map((t) => t.id)).toEqual(['feature', 'steer', 'train'])
    for (const t of TUTORIALS) for (const step of t.steps) expect(step.body.length).toBeGreaterThan(40)
  })
})
