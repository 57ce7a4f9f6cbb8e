// A metric's name with its glossary definition on hover and on keyboard focus (a native title plus an accessible
// description, so screen readers read it too).
import type { ReactNode } from 'react'
import { GLOSSARY, type GlossaryTerm } from './glossary.ts'

export function Term({ term, children }: { term: GlossaryTerm; children: ReactNode }) {
  return (
    <abbr className="term" title={GLOSSARY[term]} tabIndex={0} data-testid="glossary.term" data-term={term}>
      {children}
    </abbr>
  )
}
