// The URL carries what a shared link should reproduce: `?backend=wasm` forces a backend, `?model=hf:owner/name`
// picks the model, `?dtype=q8` its ONNX weights file (transformers.js's dtype names), `?threads=2` the WASM threads, `?hub=https://mirror.example` fetches 'hf:' sources from a Hub mirror (huggingface_hub's
// HF_ENDPOINT). Later panels (steering demos) add their parameters here.
import { MAX_WASM_THREADS, parseBackendPreference, parseOnnxVariant, type BackendPreference, type OnnxVariantName } from '../workers/protocol.ts'

export interface UrlState {
  backend: BackendPreference | null
  model: string | null
  /** The ONNX weights file; null for the default (fp32) or a name transformers.js does not use. */
  dtype: OnnxVariantName | null
  /** WASM threads (1 … 16) for tfjs-wasm and onnxruntime-web; null leaves each library's default. */
  threads: number | null
  /** A valid http(s) Hub endpoint, or null (the default Hub). */
  hub: string | null
  /** Why `?hub=` was ignored, for the error banner; null when it was fine or absent. */
  hubError: string | null
}

export function readUrlState(search: string = window.location.search): UrlState {
  const params = new URLSearchParams(search)
  const model = params.get('model')?.trim()
  return { backend: parseBackendPreference(params.get('backend')), model: model ? model : null, dtype: parseOnnxVariant(params.get('dtype')), threads: parseThreads(params.get('threads')), ...parseHubParam(params.get('hub')) }
}

export function parseThreads(text: string | null): number | null {
  const n = Number(text)
  return text !== null && Number.isInteger(n) && n >= 1 && n <= MAX_WASM_THREADS ? n : null
}

export function parseHubParam(text: string | null): { hub: string | null; hubError: string | null } {
  const value = text?.trim()
  if (!value) return { hub: null, hubError: null }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { hub: null, hubError: `?hub=${value} is not a URL, so 'hf:' sources use https://huggingface.co` }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { hub: null, hubError: `?hub=${value} must be http(s), so 'hf:' sources use https://huggingface.co` }
  return { hub: value.replace(/\/+$/, ''), hubError: null }
}

/** Rewrites one parameter in place (no navigation, no history entry); null removes it. */
export function writeUrlParam(name: Exclude<keyof UrlState, 'hubError' | 'threads'>, value: string | null): void {
  const url = new URL(window.location.href)
  if (value === null) url.searchParams.delete(name)
  else url.searchParams.set(name, value)
  window.history.replaceState(window.history.state, '', url)
}
