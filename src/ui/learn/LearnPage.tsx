// #/learn: the tutorials (start, restart, done) and the glossary of every metric the views show.
import { GLOSSARY, GLOSSARY_NAMES, type GlossaryTerm } from './glossary.ts'
import { useTutorialProgress } from './progressStore.ts'
import { TUTORIALS } from './tutorials.ts'

export function LearnPage() {
  const completed = useTutorialProgress((s) => s.completed)
  const active = useTutorialProgress((s) => s.active)
  const start = useTutorialProgress((s) => s.start)
  return (
    <section className="panel learn" data-testid="learn.panel" aria-labelledby="learn-title">
      <h2 id="learn-title">Learn</h2>
      <p className="muted">Guided tutorials for a workshop: each step says what to do and why, points at the control, and notices when you have done it. Everything runs offline in this tab.</p>
      <ol className="learn-tutorials">
        {TUTORIALS.map((t) => {
          const done = completed.includes(t.id)
          const running = active?.id === t.id
          return (
            <li key={t.id} className="learn-tutorial" data-testid="learn.tutorial" data-tutorial={t.id} data-done={done}>
              <h3>
                {t.title} {done && <span aria-label="completed">✓</span>}
              </h3>
              <p>{t.summary}</p>
              <p className="muted">
                {t.steps.length} steps · about {t.minutes} min
              </p>
              <button type="button" data-testid="learn.start" onClick={() => start(t.id)} disabled={running}>
                {running ? 'In progress' : done ? 'Do it again' : 'Start'}
              </button>
            </li>
          )
        })}
      </ol>
      <h3 id="glossary">Glossary</h3>
      <dl className="glossary" data-testid="learn.glossary">
        {(Object.keys(GLOSSARY) as GlossaryTerm[]).map((term) => (
          <div key={term}>
            <dt>{GLOSSARY_NAMES[term]}</dt>
            <dd>{GLOSSARY[term]}</dd>
          </div>
        ))}
      </dl>
    </section>
  )
}
