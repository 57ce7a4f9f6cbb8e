// Error slice: errors the user should see, as plain data (code + message); the UI maps codes to words and ways out.
import type { StateCreator } from 'zustand/vanilla'
import type { WorkerErrorCode } from '../workers/protocol.ts'

export type ErrorContext = 'load' | 'tokenize' | 'generate' | 'stop' | 'worker' | 'sae' | 'explorer' | 'url'

export interface AppError {
  id: number
  code: WorkerErrorCode
  message: string
  during: ErrorContext
  /** For load errors: the source that failed, so the message can name it. */
  source?: string
}

/** Older errors drop off: the banner is for what just happened, not a log. */
const MAX_ERRORS = 4

export interface ErrorSlice {
  errors: AppError[]
  pushError(error: Omit<AppError, 'id'>): void
  dismissError(id: number): void
  clearErrors(during: ErrorContext): void
}

let nextErrorId = 1

export const createErrorSlice: StateCreator<ErrorSlice, [], [], ErrorSlice> = (set) => ({
  errors: [],
  pushError: (error) => set((s) => ({ errors: [...s.errors, { ...error, id: nextErrorId++ }].slice(-MAX_ERRORS) })),
  dismissError: (id) => set((s) => ({ errors: s.errors.filter((e) => e.id !== id) })),
  clearErrors: (during) => set((s) => ({ errors: s.errors.filter((e) => e.during !== during) })),
})
