// The current hash location as React state. Navigation is plain `location.hash = …` (or an <a href="#/…">), so
// each view change is a history entry and the back button walks them.
import { useEffect, useState } from 'react'
import { parseHash, type HashLocation } from './hashRoute.ts'

export function useHashLocation(): HashLocation {
  const [hash, setHash] = useState(() => window.location.hash)
  useEffect(() => {
    const onChange = () => setHash(window.location.hash)
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return parseHash(hash)
}

export function navigate(href: string): void {
  if (window.location.hash !== href) window.location.hash = href
}
