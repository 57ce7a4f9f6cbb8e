// SAE slice: the SAEs the model worker holds (plain metadata, by id), and loads in flight with their progress.
import type { StateCreator } from 'zustand/vanilla'
import type { SaeSummary } from '../workers/saeProtocol.ts'
import type { FileProgress } from './modelSlice.ts'

export interface SaeLoad {
  /** What the user chose, for messages: a folder, URL, Hub spec or file names. */
  label: string
  progress: FileProgress[]
}

export interface SaeState {
  /** Held by the worker, by id, in load order (object key order). */
  loaded: Record<string, SaeSummary>
  /** Loads in flight, by the id they will have. */
  loading: Record<string, SaeLoad>
  /** The last failed load's message for the loader panel (the banner shows it too); cleared when that SAE loads. */
  lastError: { id: string; label: string; code: string; message: string } | null
}

export interface SaeSlice {
  saes: SaeState
  saeLoadStarted(id: string, label: string): void
  saeLoadProgress(id: string, progress: FileProgress): void
  saeLoadSucceeded(summary: SaeSummary): void
  saeLoadFailed(id: string, error: SaeState['lastError']): void
  saeUnloaded(id: string): void
  /** The worker died and took every SAE with it. */
  saesLost(): void
}

export const initialSaeState = (): SaeState => ({ loaded: {}, loading: {}, lastError: null })

const without = <T>(record: Record<string, T>, key: string): Record<string, T> => {
  const { [key]: _gone, ...rest } = record
  return rest
}

export const createSaeSlice: StateCreator<SaeSlice, [], [], SaeSlice> = (set) => {
  const patch = (update: (s: SaeState) => Partial<SaeState>) => set((state) => ({ saes: { ...state.saes, ...update(state.saes) } }))
  return {
    saes: initialSaeState(),
    saeLoadStarted: (id, label) => patch((s) => ({ loading: { ...s.loading, [id]: { label, progress: [] } } })),
    saeLoadProgress: (id, progress) =>
      patch((s) => {
        const load = s.loading[id]
        if (!load) return {}
        const others = load.progress.filter((p) => p.file !== progress.file)
        const index = load.progress.findIndex((p) => p.file === progress.file)
        const next = index < 0 ? [...others, progress] : load.progress.map((p, i) => (i === index ? progress : p))
        return { loading: { ...s.loading, [id]: { ...load, progress: next } } }
      }),
    saeLoadSucceeded: (summary) =>
      patch((s) => ({ loaded: { ...s.loaded, [summary.id]: summary }, loading: without(s.loading, summary.id), lastError: s.lastError?.id === summary.id ? null : s.lastError })),
    saeLoadFailed: (id, error) => patch((s) => ({ loading: without(s.loading, id), lastError: error })),
    saeUnloaded: (id) => patch((s) => ({ loaded: without(s.loaded, id) })),
    saesLost: () => patch(() => ({ loaded: {}, loading: {} })),
  }
}
