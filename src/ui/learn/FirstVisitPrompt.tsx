// On a first visit, one line that offers the tutorials; answered once (start or dismiss), it does not come back.
import { useTutorialProgress } from './progressStore.ts'

export function FirstVisitPrompt() {
  const answered = useTutorialProgress((s) => s.introAnswered)
  const active = useTutorialProgress((s) => s.active)
  const answer = useTutorialProgress((s) => s.answerIntro)
  const start = useTutorialProgress((s) => s.start)
  if (answered || active) return null
  return (
    <div className="tour-intro" role="region" aria-label="Welcome" data-testid="tour.intro">
      <span>New to sparse autoencoders? A five-minute tutorial finds a feature, reads it and steers with it.</span>
      <button type="button" data-testid="tour.intro-start" onClick={() => start('feature')}>
        Start the tutorial
      </button>
      <a href="#/learn" onClick={answer}>
        All tutorials
      </a>
      <button type="button" className="quiet" data-testid="tour.intro-dismiss" onClick={answer}>
        Not now
      </button>
    </div>
  )
}
