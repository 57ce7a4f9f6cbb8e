// The URL carries what a shared link should reproduce: `?backend=wasm` forces a backend, `?model=hf:owner/name`
// picks the model. Later panels (steering demos) add their parameters here.
import { parseBackendPreference, type BackendPreference } from '../workers/protocol.ts'

export interface UrlState {
  backend: BackendPreference | null
  model: string | null
}

export function readUrlState(search: string = window.location.search): UrlState {
  const params = new URLSearchParams(search)
  const model = params.get('model')?.trim()
  return { backend: parseBackendPreference(params.get('backend')), model: model ? model : null }
}

/** Rewrites one parameter in place (no navigation, no history entry); null removes it. */
export function writeUrlParam(name: keyof UrlState, value: string | null): void {
  const url = new URL(window.location.href)
  if (value === null) url.searchParams.delete(name)
  else url.searchParams.set(name, value)
  window.history.replaceState(window.history.state, '', url)
}
