// Points at a tutorial step's control: adds the `tour-target` class to the first element with that data-testid
// (re-found as views re-render), and scrolls it into view once.
import { useEffect } from 'react'

export function useHighlight(testId: string | null): void {
  useEffect(() => {
    if (testId === null) return
    let current: Element | null = null
    let scrolled = false
    const find = () => {
      const el = document.querySelector(`[data-testid="${CSS.escape(testId)}"]`)
      if (el === current) return
      current?.classList.remove('tour-target')
      current = el
      if (!el) return
      el.classList.add('tour-target')
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
      current?.classList.remove('tour-target')
    }
  }, [testId])
}
