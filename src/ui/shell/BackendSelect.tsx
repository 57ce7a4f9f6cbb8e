// Picks the tfjs backend: 'auto' tries hardware GPUs, then WASM (before any software GPU), then CPU; a name forces
// it. Mirrored in `?backend=`.
import { useId } from 'react'
import { BACKEND_NAMES, parseBackendPreference, type BackendPreference } from '../../workers/protocol.ts'
import { useActions, useAppState } from '../appContext.tsx'
import { writeUrlParam } from '../urlState.ts'

export const BACKEND_LABEL = { auto: 'Automatic', webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' } as const

/** Chooses a backend as the select does: the URL records it for sharing, and a loaded model reloads there. */
export function useChooseBackend(): (next: BackendPreference) => void {
  const actions = useActions()
  return (next) => {
    writeUrlParam('backend', next === 'auto' ? null : next)
    void actions.setBackendPreference(next)
  }
}

export function BackendSelect() {
  const id = useId()
  const preference = useAppState((s) => s.model.backendPreference)
  const loading = useAppState((s) => s.model.status === 'loading')
  const choose = useChooseBackend()
  return (
    <div className="field field-inline">
      <label htmlFor={id}>Backend</label>
      <select
        id={id}
        data-testid="shell.backend-select"
        value={preference}
        disabled={loading}
        onChange={(event) => choose(parseBackendPreference(event.target.value) ?? 'auto')}
      >
        {(['auto', ...BACKEND_NAMES] as const).map((name) => (
          <option key={name} value={name}>
            {BACKEND_LABEL[name]}
          </option>
        ))}
      </select>
    </div>
  )
}
