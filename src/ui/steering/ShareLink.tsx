// "Copy link" for the steering playground: builds the share URL, copies it, shows it selected (for browsers that
// refuse the clipboard) and says what happened in a live region, so a screen reader hears "Copied" too.
import { useEffect, useRef, useState } from 'react'
import { useActions } from '../appContext.tsx'

type ShareState = { kind: 'none' } | { kind: 'copied' | 'shown'; url: string } | { kind: 'error'; message: string }

export function ShareLink({ disabled }: { disabled: boolean }) {
  const actions = useActions()
  const [share, setShare] = useState<ShareState>({ kind: 'none' })
  const input = useRef<HTMLInputElement>(null)
  const url = share.kind === 'copied' || share.kind === 'shown' ? share.url : null

  // Selected once shown: Ctrl+C copies it where the clipboard API was refused.
  useEffect(() => {
    if (url) input.current?.select()
  }, [url, share.kind])

  const copy = async () => {
    try {
      const next = await actions.steering.shareUrl(window.location.href)
      const copied = navigator.clipboard
        ? await navigator.clipboard.writeText(next).then(
            () => true,
            () => false,
          )
        : false
      setShare({ kind: copied ? 'copied' : 'shown', url: next })
    } catch (err) {
      setShare({ kind: 'error', message: err instanceof Error ? err.message : String(err) })
    }
  }

  return (
    <div className="steer-share">
      <button type="button" className="secondary" data-testid="steer.copy-link" disabled={disabled} onClick={() => void copy()}>
        Copy link
      </button>
      <span className="steer-share-status" role="status" aria-live="polite" data-testid="steer.copy-status" data-state={share.kind}>
        {share.kind === 'copied' ? 'Copied to the clipboard' : share.kind === 'shown' ? 'Link selected below: press Ctrl+C to copy' : ''}
      </span>
      {url && <input ref={input} className="steer-link" readOnly aria-label="Share link" data-testid="steer.link" value={url} onFocus={(e) => e.target.select()} />}
      {share.kind === 'error' && (
        <p className="error" role="alert" data-testid="steer.link-share-error">
          {share.message}
        </p>
      )}
    </div>
  )
}
