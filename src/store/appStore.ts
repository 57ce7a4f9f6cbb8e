// The app's one store, assembled from slices; later panels (features, map, steer, train) add theirs here.
import { createStore, type StoreApi } from 'zustand/vanilla'
import { createErrorSlice, type ErrorSlice } from './errorSlice.ts'
import { createGenerationSlice, type GenerationSlice } from './generationSlice.ts'
import { createModelSlice, initialModelState, type ModelSlice } from './modelSlice.ts'
import { createPromptSlice, initialPromptState, type PromptSlice } from './promptSlice.ts'
import type { BackendPreference, OnnxVariantName } from '../workers/protocol.ts'
import { createSaeSlice, type SaeSlice } from './saeSlice.ts'
import { createExplorerSlice, type ExplorerSlice } from './explorerSlice.ts'
import { createSteeringSlice, type SteeringSlice } from './steeringSlice.ts'
import { createTrainingSlice, type TrainingSlice } from './trainingSlice.ts'
import { createExplanationSlice, type ExplanationSlice } from './explanationSlice.ts'

export type AppState = ModelSlice & PromptSlice & GenerationSlice & ErrorSlice & SaeSlice & ExplorerSlice & SteeringSlice & TrainingSlice & ExplanationSlice
export type AppStore = StoreApi<AppState>

export interface AppStoreInit {
  backendPreference?: BackendPreference
  sourceInput?: string
  onnxVariant?: OnnxVariantName
  prompt?: string
}

export function createAppStore(init: AppStoreInit = {}): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createModelSlice(initialModelState(init.backendPreference, init.sourceInput, init.onnxVariant))(...a),
    ...createPromptSlice(initialPromptState(init.prompt))(...a),
    ...createGenerationSlice(...a),
    ...createErrorSlice(...a),
    ...createSaeSlice(...a),
    ...createExplorerSlice(...a),
    ...createSteeringSlice(...a),
    ...createTrainingSlice(...a),
    ...createExplanationSlice(...a),
  }))
}
