// The store's public face: the store, its slices' types, and the actions the UI calls.
export { createAppStore, type AppState, type AppStore, type AppStoreInit } from './appStore.ts'
export { createAppActions, type AppActions, type AppActionsOptions } from './actions.ts'
export { DEFAULT_MODEL_SOURCE, type FileProgress, type LoadedModel, type ModelState, type ModelStatus } from './modelSlice.ts'
export { DEFAULT_PROMPT, DEFAULT_SAMPLING, type PromptTokens, type SamplingSettings } from './promptSlice.ts'
export type { GeneratedToken, GenerationResult, GenerationState, GenerationStatus } from './generationSlice.ts'
export type { AppError, ErrorContext } from './errorSlice.ts'
export { resolveSourceInput, sourceLabel } from './sourceSpec.ts'
