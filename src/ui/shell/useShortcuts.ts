// Page-wide keys: Ctrl+Enter (⌘+Enter on a Mac) generates, Esc stops a generation.
import { useEffect } from 'react'
import { useActions, useAppState } from '../appContext.tsx'

export function useShortcuts(): void {
  const actions = useActions()
  const running = useAppState((s) => s.generation.status === 'running')
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault()
        void actions.generate()
      } else if (event.key === 'Escape' && running) {
        // Only claim Esc while there is something to stop, so it still closes the browser's own popups.
        event.preventDefault()
        void actions.stop()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [actions, running])
}
