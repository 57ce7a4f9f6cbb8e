// Picks the tfjs backend: 'auto' tries WebGPU, WebGL, WASM, CPU; a name forces it. Mirrored in `?backend=`.
import { useId } from 'react'
import { BACKEND_NAMES, parseBackendPreference } from '../../workers/protocol.ts'
import { useActions, useAppState } from '../appContext.tsx'
import { writeUrlParam } from '../urlState.ts'

const LABEL = { auto: 'Automatic', webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' } as const

export function BackendSelect() {
  const id = useId()
  const preference = useAppState((s) => s.model.backendPreference)
  const loading = useAppState((s) => s.model.status === 'loading')
  const actions = useActions()
  return (
    <div className="field field-inline">
      <label htmlFor={id}>Backend</label>
      <select
        id={id}
        data-testid="shell.backend-select"
        value={preference}
        disabled={loading}
        onChange={(event) => {
          const next = parseBackendPreference(event.target.value) ?? 'auto'
          writeUrlParam('backend', next === 'auto' ? null : next)
          void actions.setBackendPreference(next)
        }}
      >
        {(['auto', ...BACKEND_NAMES] as const).map((name) => (
          <option key={name} value={name}>
            {LABEL[name]}
          </option>
        ))}
      </select>
    </div>
  )
}
