// Describes the backend in use for the header: which WebGPU adapter, how many WASM threads, which WebGL version,
// and which software GPUs Automatic skipped.
import * as tf from '@tensorflow/tfjs'
import { lastAutomaticChoice } from '../core/backend/backend.ts'
import type { BackendInfo, BackendName } from './protocol.ts'

async function describeWebGpu(): Promise<string> {
  // A second adapter request is cheap and reads the same adapter tfjs chose (default power preference).
  const adapter = typeof navigator !== 'undefined' && 'gpu' in navigator ? await navigator.gpu.requestAdapter() : null
  const info = adapter?.info
  if (!info) return 'WebGPU'
  const parts = [info.vendor, info.architecture, info.description].filter((part) => part !== '')
  return parts.length > 0 ? `WebGPU · ${parts.join(' ')}` : 'WebGPU'
}

async function describeWasm(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')
  // True means tfjs chose the threaded binary, whose pthread workers are built from the factory's source text:
  // the e2e test checks this to prove the bundle keeps that text intact (see vite.config.ts).
  const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm')
  const threads = getThreadsCount()
  const build = threaded ? 'threaded build' : 'single-thread build (page not cross-origin isolated)'
  return `WASM${simd ? ' SIMD' : ''}, ${build} · ${threads} thread${threads === 1 ? '' : 's'}`
}

/** The backend's detail, and the software GPUs "Automatic" passed over to choose it (the header explains those). */
export async function describeBackend(name: BackendName): Promise<BackendInfo> {
  const info = await describeDetail(name)
  const automatic = lastAutomaticChoice()
  return automatic?.backend === name && automatic.skipped.length > 0 ? { ...info, skipped: automatic.skipped } : info
}

async function describeDetail(name: BackendName): Promise<BackendInfo> {
  try {
    switch (name) {
      case 'webgpu':
        return { name, detail: await describeWebGpu() }
      case 'wasm':
        return { name, detail: await describeWasm() }
      case 'webgl':
        return { name, detail: `WebGL ${tf.env().getNumber('WEBGL_VERSION')}` }
      case 'cpu':
        return { name, detail: 'plain JavaScript (slow)' }
    }
  } catch {
    // The detail is a courtesy; the backend itself is already running.
    return { name, detail: name }
  }
}
