// Points onnxruntime-web at its wasm binary, served by Vite from node_modules (`?url`, hashed in a build), and
// gives it as many threads as the page may use. Browser workers only; Node uses onnxruntime-node.
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url'
import { configureOrt, type Ort } from '../core/model/onnx/ortRuntime.ts'

let configured = false

/** Call before the first model load: ONNX models then run on onnxruntime-web's WASM execution provider. */
export function configureOnnxRuntime(): void {
  if (configured) return
  configured = true
  configureOrt(async () => {
    const ort = (await import('onnxruntime-web')) as unknown as Ort
    ort.env.wasm.wasmPaths = { wasm: ortWasmUrl }
    // Threads need cross-origin isolation (COOP/COEP, vite.config.ts); without it onnxruntime runs on one.
    const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.max(1, Math.min(4, cores)) : 1
    return { ort, executionProviders: ['wasm'], label: `onnxruntime-web (wasm, ${ort.env.wasm.numThreads} threads)` }
  })
}
