// Which onnxruntime runs ONNX models: onnxruntime-node in Node (its CPU binary ships in the npm package), and
// onnxruntime-web in browsers, configured by the worker that owns it (wasm file URLs, threads, providers).
import type * as OrtWeb from 'onnxruntime-web'
import type { GpuClass } from '../../backend/automatic.ts'
import { isNode } from '../../backend/backend.ts'

export type Ort = typeof OrtWeb

export interface OrtRuntime {
  ort: Ort
  /** Execution providers to ask for, in order (e.g. ['wasm'] or ['cpu']). */
  executionProviders: string[]
  /** What the loader shows: 'onnxruntime-node (cpu)', 'onnxruntime-web (wasm)'. */
  label: string
}

let configured: (() => Promise<OrtRuntime>) | null = null
let configuredKey: () => string = () => ''
let cached: { key: string; runtime: Promise<OrtRuntime> } | null = null

/**
 * Browser workers call this once, before any ONNX model loads. `key` names what the runtime depends on (the tfjs
 * backend in use, which picks the execution provider): a new key builds the runtime again for the next model.
 */
export function configureOrt(loader: () => Promise<OrtRuntime>, key: () => string = () => ''): void {
  configured = loader
  configuredKey = key
  cached = null
}

/**
 * onnxruntime-web's execution providers for a worker whose tfjs runs on `tfBackend`: WebGPU (WASM for the ops it
 * lacks) only on a hardware adapter — a software one (SwiftShader…) runs ~100× slower than WASM — else WASM.
 */
export function webExecutionProviders(tfBackend: string | null, gpu: GpuClass | null): { providers: string[]; why: string } {
  if (tfBackend !== 'webgpu') return { providers: ['wasm'], why: '' }
  if (gpu?.kind === 'hardware') return { providers: ['webgpu', 'wasm'], why: '' }
  return { providers: ['wasm'], why: gpu?.kind === 'software' ? `the WebGPU adapter is ${gpu.adapter}, slower than WASM` : 'no WebGPU adapter' }
}

// A variable, so bundlers leave the Node-only package out of browser builds.
const NODE_PACKAGE = 'onnxruntime-node'

export function ortRuntime(): Promise<OrtRuntime> {
  const key = configuredKey()
  if (cached?.key !== key) {
    const runtime = configured
      ? configured()
      : isNode()
        ? (import(/* @vite-ignore */ NODE_PACKAGE) as Promise<Ort>).then((ort) => ({ ort, executionProviders: ['cpu'], label: 'onnxruntime-node (cpu)' }))
        : import('onnxruntime-web').then((ort) => ({ ort: ort as Ort, executionProviders: ['wasm'], label: 'onnxruntime-web (wasm)' }))
    cached = { key, runtime }
  }
  return cached.runtime
}
