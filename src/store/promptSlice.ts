// Prompt slice: the prompt text, its tokens as the model sees them, and the sampling settings.
import type { StateCreator } from 'zustand/vanilla'

export interface PromptTokens {
  /** The text these tokens were made from: stale when it differs from the prompt. */
  text: string
  ids: number[]
  pieces: string[]
}

export interface SamplingSettings {
  temperature: number
  topK: number
  topP: number
  seed: number
  maxTokens: number
  stopAtEos: boolean
}

export const DEFAULT_SAMPLING: SamplingSettings = {
  temperature: 0.8, // a little below 1: varied text that still stays on topic for a small model
  topK: 0, // off: top-p already trims the tail
  topP: 0.95,
  seed: 0, // fixed, so the same prompt and settings give the same text (shareable demos)
  maxTokens: 48, // a few sentences; small models drift after that
  stopAtEos: true,
}

export const DEFAULT_PROMPT = 'Once upon a time'

export interface PromptState {
  text: string
  tokens: PromptTokens | null
  sampling: SamplingSettings
}

export interface PromptSlice {
  prompt: PromptState
  setPromptText(text: string): void
  setPromptTokens(tokens: PromptTokens | null): void
  setSampling(update: Partial<SamplingSettings>): void
}

export const initialPromptState = (text = DEFAULT_PROMPT): PromptState => ({ text, tokens: null, sampling: { ...DEFAULT_SAMPLING } })

export const createPromptSlice =
  (initial: PromptState): StateCreator<PromptSlice, [], [], PromptSlice> =>
  (set) => ({
    prompt: initial,
    setPromptText: (text) => set((s) => ({ prompt: { ...s.prompt, text } })),
    setPromptTokens: (tokens) => set((s) => ({ prompt: { ...s.prompt, tokens } })),
    setSampling: (update) => set((s) => ({ prompt: { ...s.prompt, sampling: { ...s.prompt.sampling, ...update } } })),
  })
