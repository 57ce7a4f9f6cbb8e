// Picks the fastest tfjs backend that initialises here (WebGPU, WebGL, WASM, CPU; software GPUs after WASM) and
// says which one runs.
// Importing the full '@tensorflow/tfjs' registers every gradient (tfjs-core's Node bundle alone has none),
// so training by autodiff works on whichever backend is chosen.
import * as tf from '@tensorflow/tfjs'
import { BackendError, InvalidArgumentError } from '../errors.ts'
import { classifyGpu, planAutomatic, type AutomaticPlan, type GpuClass, type SkippedGpu } from './automatic.ts'

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

/** The static order, before adapters are looked at: GPU first in the browser; Node has neither WebGPU nor WebGL. */
export function defaultBackendOrder(): BackendName[] {
  return isNode() ? ['wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu']
}

/** WebGPU's adapter, asked for as tfjs-backend-webgpu asks (high-performance), or null where there is none. */
export async function probeWebGpu(): Promise<GpuClass | null> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator)) return null
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' })
  if (!adapter) return null
  // Older Chromium had adapter.isFallbackAdapter and requestAdapterInfo() where newer ones have adapter.info.
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean; requestAdapterInfo?: () => Promise<GPUAdapterInfo> }
  const info: GPUAdapterInfo | undefined = adapter.info ?? (await legacy.requestAdapterInfo?.())
  return classifyGpu({
    isFallbackAdapter: info?.isFallbackAdapter ?? legacy.isFallbackAdapter,
    names: info ? [info.vendor, info.architecture, info.device, info.description] : [],
  })
}

/** WebGL's renderer as the driver names it (e.g. "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device …))"), or null. */
function probeWebGl(): GpuClass | null {
  if (typeof OffscreenCanvas === 'undefined') return null
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2') ?? new OffscreenCanvas(1, 1).getContext('webgl')
  if (!gl) return null
  try {
    const ext = gl.getExtension('WEBGL_debug_renderer_info')
    const names: unknown[] = [gl.getParameter(gl.RENDERER), gl.getParameter(gl.VENDOR)]
    if (ext) names.push(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL), gl.getParameter(ext.UNMASKED_VENDOR_WEBGL))
    return classifyGpu({ names: names.filter((name): name is string => typeof name === 'string') })
  } finally {
    gl.getExtension('WEBGL_lose_context')?.loseContext() // a probe, not the context tfjs will use
  }
}

/** Automatic's order here: in the browser, software GPU adapters go behind WASM (planAutomatic says why). */
async function automaticPlan(): Promise<AutomaticPlan> {
  if (isNode()) return { order: defaultBackendOrder(), skipped: [] }
  const probe = async (run: () => Promise<GpuClass | null> | GpuClass | null) => {
    try {
      return await run()
    } catch {
      return null // the backend's own start will fail and say why
    }
  }
  return planAutomatic({ webgpu: await probe(probeWebGpu), webgl: await probe(probeWebGl) })
}

/** What the last automatic selection in this worker chose, and which software GPUs it passed over to get there. */
export interface AutomaticChoice {
  backend: BackendName
  skipped: SkippedGpu[]
}

let lastAutomatic: AutomaticChoice | null = null

/** The last selectBackend() without a preference, or null when the last selection named its backends. */
export function lastAutomaticChoice(): AutomaticChoice | null {
  return lastAutomatic
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
 * Tries each backend in `preference` order and keeps the first that initialises; without one, "Automatic":
 * hardware GPUs, then WASM, then software GPUs and CPU (lastAutomaticChoice() says what was skipped).
 * Returns the name of the backend in use; throws BackendError when none works.
 */
export async function selectBackend(preference?: BackendName[], opts: SelectBackendOptions = {}): Promise<BackendName> {
  lastAutomatic = null
  const plan = preference === undefined ? await automaticPlan() : null
  const order = preference ?? plan!.order
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
      if (tf.getBackend() === name) {
        // Only what was passed over counts: a software GPU used because WASM failed was not skipped.
        if (plan) lastAutomatic = { backend: name, skipped: plan.skipped.filter((s) => order.indexOf(s.backend) > order.indexOf(name)) }
        return name
      }
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
