// Explanations beyond the analysis files, per SAE: the user's edits and LLM explanations read from IndexedDB, and the
// LLM run in progress. Plain data; which one a feature shows is decided in one place (ui/explorer/featureLabel.ts).
import type { StateCreator } from 'zustand/vanilla'
import type { ExplanationRecord } from '../core/analysis/format.ts'

export interface SaeExplanations {
  /** The weights hash these were read for (null: the SAE is not loaded, or its hash is unknown). */
  hash: string | null
  user: Record<number, ExplanationRecord>
  llm: Record<number, ExplanationRecord>
}

export interface LlmFailure {
  feature: number
  code: string
  message: string
}

/** An "Explain with an LLM" run: progress, ETA and the features that failed. Never holds the API key. */
export type LlmRunState =
  | { status: 'idle' }
  | { status: 'running' | 'cancelling'; saeId: string; done: number; total: number; etaSeconds: number | null; failures: LlmFailure[] }
  | { status: 'done'; saeId: string; done: number; total: number; explained: number; cached: number; failures: LlmFailure[]; elapsedMs: number }
  | { status: 'cancelled'; saeId: string; done: number; total: number; failures: LlmFailure[] }
  | { status: 'error'; saeId: string; code: string; message: string }

export interface ExplanationsState {
  bySae: Record<string, SaeExplanations>
  /** Why explanations cannot be kept across reloads (no IndexedDB, or it failed); null when they can. */
  storageError: string | null
  llmRun: LlmRunState
}

export interface ExplanationSlice {
  explanations: ExplanationsState
  setSaeExplanations(saeId: string, value: SaeExplanations): void
  /** Sets (or with null removes) one feature's explanation of a kind. */
  setFeatureExplanation(saeId: string, kind: 'user' | 'llm', feature: number, explanation: ExplanationRecord | null): void
  setExplanationStorageError(message: string | null): void
  setLlmRun(run: LlmRunState): void
}

export const EMPTY_SAE_EXPLANATIONS: SaeExplanations = Object.freeze({ hash: null, user: Object.freeze({}), llm: Object.freeze({}) }) as SaeExplanations

export const initialExplanationsState = (): ExplanationsState => ({ bySae: {}, storageError: null, llmRun: { status: 'idle' } })

export const createExplanationSlice: StateCreator<ExplanationSlice, [], [], ExplanationSlice> = (set) => {
  const patch = (update: (e: ExplanationsState) => Partial<ExplanationsState>) => set((s) => ({ explanations: { ...s.explanations, ...update(s.explanations) } }))
  return {
    explanations: initialExplanationsState(),
    setSaeExplanations: (saeId, value) => patch((e) => ({ bySae: { ...e.bySae, [saeId]: value } })),
    setFeatureExplanation: (saeId, kind, feature, explanation) =>
      patch((e) => {
        const current = e.bySae[saeId] ?? EMPTY_SAE_EXPLANATIONS
        const { [feature]: _old, ...rest } = current[kind]
        const next = explanation === null ? rest : { ...rest, [feature]: explanation }
        return { bySae: { ...e.bySae, [saeId]: { ...current, [kind]: next } } }
      }),
    setExplanationStorageError: (storageError) => patch(() => ({ storageError })),
    setLlmRun: (llmRun) => patch(() => ({ llmRun })),
  }
}
