// Configures onnxruntime-web in a browser worker: its bundle finds its own wasm binary (Vite rewrites the bundle's
// `new URL(…, import.meta.url)` into a hashed asset, and setting wasmPaths to another build's binary hangs the first
// session), and it gets as many threads as the page may use. Its execution provider follows the worker's tfjs backend
// (webExecutionProviders): WebGPU, with WASM for any op WebGPU lacks, when tfjs runs on WebGPU on a hardware adapter;
// else WASM. Node uses onnxruntime-node instead.
import * as tf from '@tensorflow/tfjs'
import { probeWebGpu } from '../core/backend/backend.ts'
import { configureOrt, webExecutionProviders, type Ort } from '../core/model/onnx/ortRuntime.ts'

let configured = false

/** Call before the first model load. `threads` (the first call's) replaces the default of the cores, at most 4. */
export function configureOnnxRuntime(threads?: number): void {
  if (configured) return
  configured = true
  configureOrt(async () => {
    const ort = (await import('onnxruntime-web')) as unknown as Ort
    // Threads need cross-origin isolation (COOP/COEP, vite.config.ts); without it onnxruntime runs on one.
    const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? (threads ?? Math.max(1, Math.min(4, cores))) : 1
    const wasm = `wasm, ${ort.env.wasm.numThreads} threads`
    const backend = tf.getBackend()
    const { providers, why } = webExecutionProviders(backend, backend === 'webgpu' ? await probeWebGpu().catch(() => null) : null)
    if (providers[0] === 'webgpu') return { ort, executionProviders: providers, label: `onnxruntime-web (webgpu; ${wasm} for the rest)` }
    return { ort, executionProviders: providers, label: `onnxruntime-web (${wasm}${why ? `: ${why}` : ''})` }
  }, () => tf.getBackend() ?? '')
}
