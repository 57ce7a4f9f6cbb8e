// What "Automatic" means: which backends to try, in which order, given what the GPU adapters say they are.
// Pure, so the decision is tested without a browser; backend.ts probes the adapters and calls planAutomatic.
import type { BackendName } from './backend.ts'

/** What a GPU API tells about its adapter: WebGPU's GPUAdapterInfo, or WebGL's unmasked renderer and vendor. */
export interface GpuIdentity {
  /** WebGPU: `adapter.info.isFallbackAdapter` (or the older `adapter.isFallbackAdapter`). */
  isFallbackAdapter?: boolean
  /** Free text naming the adapter: vendor, architecture, device, description, or WebGL's renderer string. */
  names: readonly string[]
}

export type GpuClass = { kind: 'hardware' } | { kind: 'software'; adapter: string }

/** Renderers that run on the CPU, as drivers name themselves. Each is ~100× slower than tfjs-wasm (see DESIGN.md). */
const SOFTWARE_RENDERERS: readonly { pattern: RegExp; adapter: string }[] = [
  { pattern: /swiftshader|subzero/i, adapter: 'SwiftShader' },
  { pattern: /llvmpipe/i, adapter: 'llvmpipe' },
  { pattern: /lavapipe/i, adapter: 'lavapipe' },
  { pattern: /softpipe/i, adapter: 'softpipe' },
  { pattern: /microsoft basic render|\bwarp\b/i, adapter: 'Microsoft Basic Render Driver' },
  { pattern: /software/i, adapter: 'software renderer' },
]

/**
 * Says whether an adapter is real hardware or a CPU emulation. An adapter that says nothing about itself counts
 * as hardware: browsers may hide the names, and a real GPU wrongly skipped costs more than a slow one tried.
 */
export function classifyGpu(identity: GpuIdentity): GpuClass {
  const text = identity.names.join(' ')
  const named = SOFTWARE_RENDERERS.find(({ pattern }) => pattern.test(text))
  if (named) return { kind: 'software', adapter: named.adapter }
  if (identity.isFallbackAdapter === true) return { kind: 'software', adapter: 'fallback adapter' }
  return { kind: 'hardware' }
}

export type GpuBackendName = Extract<BackendName, 'webgpu' | 'webgl'>

/** A GPU backend that Automatic put after WASM, and the adapter that made it. */
export interface SkippedGpu {
  backend: GpuBackendName
  adapter: string
}

export interface AutomaticPlan {
  order: BackendName[]
  /** Software GPUs moved behind WASM, in the order they would have been tried. */
  skipped: SkippedGpu[]
}

/**
 * The order Automatic tries backends in the browser: hardware GPUs (WebGPU, then WebGL), WASM, then software GPUs
 * (still faster than plain JS if WASM fails), then CPU. `null` means the API has no adapter to classify: it keeps
 * its place and fails there, as before.
 */
export function planAutomatic(gpus: Record<GpuBackendName, GpuClass | null>): AutomaticPlan {
  const hardware: BackendName[] = []
  const skipped: SkippedGpu[] = []
  for (const backend of ['webgpu', 'webgl'] as const) {
    const found = gpus[backend]
    if (found?.kind === 'software') skipped.push({ backend, adapter: found.adapter })
    else hardware.push(backend)
  }
  return { order: [...hardware, 'wasm', ...skipped.map((s) => s.backend), 'cpu'], skipped }
}
