// Points at a tutorial step's control: marks the first element with that data-testid `data-tour-target` (re-found
// as views re-render), and scrolls it into view once. An attribute, not a class: React rewrites className whenever a
// component changes its own classes, which would drop the mark.
import { useEffect, useState } from 'react'

/** Which side of the screen the highlighted control is on, so the coach can sit on the other one. */
export type TargetSide = 'left' | 'right'

export function useHighlight(testId: string | null): TargetSide {
  const [side, setSide] = useState<TargetSide>('left')
  useEffect(() => {
    if (testId === null) return
    let current: Element | null = null
    let scrolled = false
    const find = () => {
      const el = document.querySelector(`[data-testid="${CSS.escape(testId)}"]`)
      if (el === current) return
      current?.removeAttribute('data-tour-target')
      current = el
      if (!el) return
      el.setAttribute('data-tour-target', 'true')
      const box = el.getBoundingClientRect()
      setSide(box.left + box.width / 2 > window.innerWidth / 2 ? 'right' : 'left')
      if (!scrolled) {
        el.scrollIntoView({ block: 'center', behavior: 'smooth' })
        scrolled = true
      }
    }
    find()
    // Views render their controls after data arrives: look again whenever the page changes.
    const observer = new MutationObserver(find)
    observer.observe(document.body, { childList: true, subtree: true })
    return () => {
      observer.disconnect()
      current?.removeAttribute('data-tour-target')
    }
  }, [testId])
  return side
}
