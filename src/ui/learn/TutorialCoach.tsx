// The tutorial coach: a small panel on every view while a tutorial runs, with the step's explanation, a highlighted
// control, "Take me there", and a check that moves on by itself once the learner has done the step.
import { useEffect, useState } from 'react'
import { useAppContextStore } from '../appContext.tsx'
import { useHashLocation } from '../router/useRoute.ts'
import { useTutorialProgress } from './progressStore.ts'
import { tutorialById, type StepContext } from './tutorials.ts'
import { useHighlight } from './useHighlight.ts'

/** How often DOM-held facts (a share link in a text field) are checked; state changes are checked at once. */
const POLL_MS = 500

export function TutorialCoach() {
  const active = useTutorialProgress((s) => s.active)
  const advance = useTutorialProgress((s) => s.advance)
  const exit = useTutorialProgress((s) => s.exit)
  const store = useAppContextStore()
  const location = useHashLocation()
  const tutorial = active ? tutorialById(active.id) : undefined
  const step = tutorial?.steps[active!.step]
  const [tick, setTick] = useState(0)
  const targetSide = useHighlight(step?.target ?? null)

  useEffect(() => {
    if (!step) return
    const unsubscribe = store.subscribe(() => setTick((t) => t + 1))
    const timer = setInterval(() => setTick((t) => t + 1), POLL_MS)
    return () => {
      unsubscribe()
      clearInterval(timer)
    }
  }, [store, step])

  useEffect(() => {
    if (!step || !tutorial || !active) return
    const ctx: StepContext = { state: store.getState(), location, dom: document, memory: active.memory }
    if (step.done(ctx)) advance(tutorial.steps.length, step.remember?.(ctx))
  }, [tick, step, tutorial, active, location, store, advance])

  if (!tutorial || !step || !active) return null
  return (
    // The coach sits in the corner away from the highlighted control, so it never covers what it points at.
    <aside className={`tour-coach ${targetSide === 'right' ? 'tour-coach-left' : ''}`} aria-label={`Tutorial: ${tutorial.title}`} data-testid="tour.coach" data-tutorial={tutorial.id} data-step={step.id} data-checks={tick}>
      <p className="muted">
        {tutorial.title} · step {active.step + 1} of {tutorial.steps.length}
      </p>
      <h2 aria-live="polite">{step.title}</h2>
      <p>{step.body}</p>
      <div className="row">
        {step.href && window.location.hash.split('?')[0] !== step.href.split('?')[0] && (
          <a className="button" href={step.href} data-testid="tour.go">
            Take me there
          </a>
        )}
        <button type="button" className="quiet" data-testid="tour.skip" onClick={() => advance(tutorial.steps.length)}>
          Skip step
        </button>
        <button type="button" className="quiet" data-testid="tour.exit" onClick={exit}>
          Exit tutorial
        </button>
      </div>
    </aside>
  )
}
