// Configures onnxruntime-web in a browser worker: its bundle finds its own wasm binary (Vite rewrites the bundle's
// `new URL(…, import.meta.url)` into a hashed asset, and setting wasmPaths to another build's binary hangs the first
// session), and it gets as many threads as the page may use. Node uses onnxruntime-node instead.
import { configureOrt, type Ort } from '../core/model/onnx/ortRuntime.ts'

let configured = false

/** Call before the first model load: ONNX models then run on onnxruntime-web's WASM execution provider. */
export function configureOnnxRuntime(): void {
  if (configured) return
  configured = true
  configureOrt(async () => {
    const ort = (await import('onnxruntime-web')) as unknown as Ort
    // Threads need cross-origin isolation (COOP/COEP, vite.config.ts); without it onnxruntime runs on one.
    const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.max(1, Math.min(4, cores)) : 1
    return { ort, executionProviders: ['wasm'], label: `onnxruntime-web (wasm, ${ort.env.wasm.numThreads} threads)` }
  })
}
