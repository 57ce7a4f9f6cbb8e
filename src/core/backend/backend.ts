// Picks the fastest tfjs backend that initialises here (WebGPU, WebGL, WASM, CPU) and says which one runs.
// Importing the full '@tensorflow/tfjs' registers every gradient (tfjs-core's Node bundle alone has none),
// so training by autodiff works on whichever backend is chosen.
import * as tf from '@tensorflow/tfjs'
import { BackendError, InvalidArgumentError } from '../errors.ts'

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu'

export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu']

export interface SelectBackendOptions {
  /**
   * Browser only: where tfjs-backend-wasm's `.wasm` files are served, as a folder URL ending in '/'
   * (e.g. `${import.meta.env.BASE_URL}tfjs-wasm/`). Without it, tfjs looks next to its own script.
   */
  wasmBaseUrl?: string
}

/** True in Node (tests, CLI); false in browser windows and workers. */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions === 'object' && typeof process.versions.node === 'string'
}

/** The default order: GPU first in the browser; Node has neither WebGPU nor WebGL. */
export function defaultBackendOrder(): BackendName[] {
  return isNode() ? ['wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu']
}

let wasmPathsSet = false

/** Registers a backend's kernels (dynamic imports keep unused backends out of the main chunk). */
async function registerBackend(name: BackendName, opts: SelectBackendOptions): Promise<void> {
  switch (name) {
    case 'webgpu':
      if (isNode()) throw new Error('WebGPU is not available in Node')
      if (typeof navigator === 'undefined' || !('gpu' in navigator)) throw new Error('navigator.gpu is missing')
      await import('@tensorflow/tfjs-backend-webgpu')
      return
    case 'webgl':
      // Registered by '@tensorflow/tfjs' itself; it fails to initialise where there is no WebGL context.
      if (isNode()) throw new Error('WebGL is not available in Node')
      return
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm')
      if (!isNode() && opts.wasmBaseUrl !== undefined && !wasmPathsSet) {
        wasm.setWasmPaths(opts.wasmBaseUrl.endsWith('/') ? opts.wasmBaseUrl : `${opts.wasmBaseUrl}/`)
        wasmPathsSet = true
      }
      return
    }
    case 'cpu':
      return // bundled with '@tensorflow/tfjs'
  }
}

/**
 * Tries each backend in `preference` order and keeps the first that initialises.
 * Returns the name of the backend in use; throws BackendError when none works.
 */
export async function selectBackend(preference?: BackendName[], opts: SelectBackendOptions = {}): Promise<BackendName> {
  const order = preference ?? defaultBackendOrder()
  if (order.length === 0) throw new InvalidArgumentError('selectBackend needs at least one backend name')
  for (const name of order) {
    if (!BACKEND_NAMES.includes(name)) throw new InvalidArgumentError(`Unknown backend "${String(name)}"; use one of ${BACKEND_NAMES.join(', ')}`)
  }
  const failures: string[] = []
  for (const name of order) {
    try {
      await registerBackend(name, opts)
      // setBackend resolves false (rather than throwing) when initialisation fails.
      const ok = await tf.setBackend(name)
      if (!ok) throw new Error('initialisation failed')
      await tf.ready()
      if (tf.getBackend() === name) return name
      throw new Error(`tfjs reports "${tf.getBackend()}" instead`)
    } catch (err) {
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  throw new BackendError(`No tfjs backend could start (${failures.join('; ')})`)
}

/** The backend tfjs is using now, or null before one is initialised. */
export function currentBackend(): BackendName | null {
  const name = tf.getBackend() as string | undefined
  return name !== undefined && (BACKEND_NAMES as readonly string[]).includes(name) ? (name as BackendName) : null
}
