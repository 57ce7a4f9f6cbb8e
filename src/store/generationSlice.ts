// Generation slice: the stream of generated tokens and how the last generation ended.
import type { StateCreator } from 'zustand/vanilla'
import type { DoneReason, RequestId } from '../workers/protocol.ts'

export type GenerationStatus = 'idle' | 'running' | 'stopping'

export interface GeneratedToken {
  id: number
  text: string
}

export interface GenerationResult {
  reason: DoneReason | 'error'
  generated: number
  elapsedMs: number
  /** Tensors alive in the worker afterwards; flat across generations when nothing leaks. */
  numTensors: number | null
}

export interface GenerationState {
  status: GenerationStatus
  requestId: RequestId | null
  /** The prompt as tokenized for this generation. */
  promptText: string
  promptIds: number[]
  tokens: GeneratedToken[]
  maxTokens: number
  /** Kept until the next generation starts: output is never cleared by an error. */
  result: GenerationResult | null
}

export interface GenerationSlice {
  generation: GenerationState
  generationStarted(requestId: RequestId, promptText: string, maxTokens: number): void
  generationPrompt(promptIds: number[]): void
  tokenGenerated(token: GeneratedToken): void
  generationStopping(): void
  generationEnded(result: GenerationResult): void
}

export const initialGenerationState = (): GenerationState => ({
  status: 'idle',
  requestId: null,
  promptText: '',
  promptIds: [],
  tokens: [],
  maxTokens: 0,
  result: null,
})

export const createGenerationSlice: StateCreator<GenerationSlice, [], [], GenerationSlice> = (set) => {
  const patch = (update: Partial<GenerationState>) => set((s) => ({ generation: { ...s.generation, ...update } }))
  return {
    generation: initialGenerationState(),
    generationStarted: (requestId, promptText, maxTokens) =>
      patch({ status: 'running', requestId, promptText, promptIds: [], tokens: [], maxTokens, result: null }),
    generationPrompt: (promptIds) => patch({ promptIds }),
    tokenGenerated: (token) => set((s) => ({ generation: { ...s.generation, tokens: [...s.generation.tokens, token] } })),
    generationStopping: () => set((s) => (s.generation.status === 'running' ? { generation: { ...s.generation, status: 'stopping' } } : s)),
    generationEnded: (result) => patch({ status: 'idle', requestId: null, result }),
  }
}
