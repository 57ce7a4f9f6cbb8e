// Which onnxruntime runs ONNX models: onnxruntime-node in Node (its CPU binary ships in the npm package), and
// onnxruntime-web in browsers, configured by the worker that owns it (wasm file URLs, threads, providers).
import type * as OrtWeb from 'onnxruntime-web'
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
let cached: Promise<OrtRuntime> | null = null

/** Browser workers call this once, before any ONNX model loads. */
export function configureOrt(loader: () => Promise<OrtRuntime>): void {
  configured = loader
  cached = null
}

// A variable, so bundlers leave the Node-only package out of browser builds.
const NODE_PACKAGE = 'onnxruntime-node'

export function ortRuntime(): Promise<OrtRuntime> {
  cached ??= configured
    ? configured()
    : isNode()
      ? (import(/* @vite-ignore */ NODE_PACKAGE) as Promise<Ort>).then((ort) => ({ ort, executionProviders: ['cpu'], label: 'onnxruntime-node (cpu)' }))
      : import('onnxruntime-web').then((ort) => ({ ort: ort as Ort, executionProviders: ['wasm'], label: 'onnxruntime-web (wasm)' }))
  return cached
}
