// Points tfjs-backend-wasm at its three .wasm binaries, served by Vite straight from node_modules (`?url`):
// in dev from the package folder, in a build as hashed assets next to the worker chunk. Browser workers only.
import plainWasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'
import simdWasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'
import threadedSimdWasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'

let configured: Promise<void> | null = null

/**
 * Call before the first selectBackend. A file map rather than selectBackend's folder option, because built
 * asset names are hashed. The import is dynamic, as in src/core/backend, so the WASM backend's code is a
 * separate chunk that loads when a model does. `threads` (the first call's) replaces tfjs-wasm's default of half
 * the cores; it takes effect only before the backend first starts.
 */
export function configureWasmPaths(threads?: number): Promise<void> {
  configured ??= import('@tensorflow/tfjs-backend-wasm').then(({ setWasmPaths, setThreadsCount }) => {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': plainWasmUrl,
      'tfjs-backend-wasm-simd.wasm': simdWasmUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdWasmUrl,
    })
    if (threads !== undefined) setThreadsCount(threads)
  })
  return configured
}
