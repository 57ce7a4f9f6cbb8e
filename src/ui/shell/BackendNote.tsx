// Says why "Automatic" runs on WASM although a GPU backend starts here (its adapter is a CPU emulation such as
// SwiftShader, ~100× slower than WASM), and offers to force that backend anyway.
import type { BackendInfo } from '../../workers/protocol.ts'
import { useAppState } from '../appContext.tsx'
import { BACKEND_LABEL, useChooseBackend } from './BackendSelect.tsx'

export function BackendNote({ backend }: { backend: BackendInfo }) {
  const loading = useAppState((s) => s.model.status === 'loading')
  const choose = useChooseBackend()
  const skipped = backend.skipped ?? []
  if (skipped.length === 0) return null
  const chosen = BACKEND_LABEL[backend.name]
  const names = skipped.map((s) => BACKEND_LABEL[s.backend]).join(' and ')
  const adapters = [...new Set(skipped.map((s) => s.adapter))].join(', ')
  const plural = skipped.length > 1
  return (
    <p className="shell-backend-note" data-testid="shell.backend-note" data-skipped={skipped.map((s) => s.backend).join(',')}>
      <span>
        {chosen} — skipped {names}: software adapter{plural ? 's' : ''} ({adapters}) {plural ? 'are' : 'is'} slower than {chosen} here.
      </span>
      {skipped.map((s) => (
        <button key={s.backend} type="button" className="quiet" data-testid="shell.backend-force" data-backend={s.backend} disabled={loading} onClick={() => choose(s.backend)}>
          Use {BACKEND_LABEL[s.backend]} anyway
        </button>
      ))}
    </p>
  )
}
