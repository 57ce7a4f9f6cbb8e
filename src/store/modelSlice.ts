// Model slice: which source and backend the user asked for, download progress, and the model the worker holds.
import type { StateCreator } from 'zustand/vanilla'
import type { HookName } from '../core/model/hookNames.ts'
import type { BackendInfo, BackendPreference, ModelSummary, OnnxVariantName } from '../workers/protocol.ts'

/** Served from public/ next to index.html, so the app works offline and under any base path. */
export const DEFAULT_MODEL_SOURCE = 'models/tinyworld'

export type ModelStatus = 'empty' | 'loading' | 'ready'

export interface FileProgress {
  file: string
  loaded: number
  total: number | null
}

export interface LoadedModel {
  /** What the user typed (e.g. 'models/tinyworld'), for the URL; summary.source is the resolved URL. */
  input: string
  summary: ModelSummary
  backend: BackendInfo
  hookNames: HookName[]
  loadMs: number
}

export interface ModelState {
  /** 'loading' keeps `loaded` (the previous model) until the new one replaces it. */
  status: ModelStatus
  /** The loader's text field. */
  sourceInput: string
  loadingSource: string | null
  backendPreference: BackendPreference
  /** Which ONNX weights file an ONNX model loads (fp32, fp16, q8, int8, q4); safetensors models ignore it. */
  onnxVariant: OnnxVariantName
  /** One entry per file, in the order downloads began. */
  progress: FileProgress[]
  loaded: LoadedModel | null
}

export interface ModelSlice {
  model: ModelState
  setSourceInput(text: string): void
  setBackendPreference(preference: BackendPreference): void
  setOnnxVariant(variant: OnnxVariantName): void
  loadStarted(source: string): void
  loadProgress(progress: FileProgress): void
  loadSucceeded(loaded: LoadedModel): void
  loadEnded(): void
  modelLost(): void
}

export const initialModelState = (backendPreference: BackendPreference = 'auto', sourceInput = DEFAULT_MODEL_SOURCE, onnxVariant: OnnxVariantName = 'fp32'): ModelState => ({
  status: 'empty',
  sourceInput,
  loadingSource: null,
  backendPreference,
  onnxVariant,
  progress: [],
  loaded: null,
})

export const createModelSlice =
  (initial: ModelState): StateCreator<ModelSlice, [], [], ModelSlice> =>
  (set) => {
    const patch = (update: Partial<ModelState>) => set((s) => ({ model: { ...s.model, ...update } }))
    return {
      model: initial,
      setSourceInput: (sourceInput) => patch({ sourceInput }),
      setBackendPreference: (backendPreference) => patch({ backendPreference }),
      setOnnxVariant: (onnxVariant) => patch({ onnxVariant }),
      loadStarted: (source) => patch({ status: 'loading', loadingSource: source, progress: [] }),
      loadProgress: (progress) =>
        set((s) => {
          const others = s.model.progress.filter((p) => p.file !== progress.file)
          const index = s.model.progress.findIndex((p) => p.file === progress.file)
          const next = index < 0 ? [...others, progress] : s.model.progress.map((p, i) => (i === index ? progress : p))
          return { model: { ...s.model, progress: next } }
        }),
      loadSucceeded: (loaded) => patch({ status: 'ready', loadingSource: null, loaded }),
      // A failed or superseded load: whatever was loaded before is still there.
      loadEnded: () => set((s) => ({ model: { ...s.model, status: s.model.loaded ? 'ready' : 'empty', loadingSource: null } })),
      modelLost: () => patch({ status: 'empty', loadingSource: null, loaded: null, progress: [] }),
    }
  }
