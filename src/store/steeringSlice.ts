// Steering slice: the playground's settings (SAE, prompt, features and strengths, mode, positions, sampling, seed)
// and the last side-by-side run's two token streams. Plain data only; the share link is built from this state.
import type { StateCreator } from 'zustand/vanilla'
import type { ShareState } from '../core/steering/shareState.ts'
import type { PositionPolicy } from '../core/steering/positions.ts'
import type { DoneReason, RequestId } from '../workers/protocol.ts'
import type { SteeringSide } from '../workers/steeringProtocol.ts'

export type SteerMode = 'clamp' | 'add'

/** One steered feature; `unit: 'max'` means amount × the feature's max activation (the slider's scale). */
export interface SteerFeature {
  index: number
  mode: SteerMode
  unit: 'max' | 'absolute'
  amount: number
  /** The max activation a share link carried for this feature (so the link reproduces exactly); null: the SAE's summary. */
  maxAct?: number | null
}

export interface SteerSampling {
  temperature: number
  topK: number
  topP: number
  maxTokens: number
}

export interface SteerToken {
  id: number
  text: string
}

export interface SteeringRunState {
  status: 'idle' | 'running' | 'stopping'
  requestId: RequestId | null
  promptIds: number[]
  default: SteerToken[]
  steered: SteerToken[]
  result: { reason: DoneReason | 'error'; elapsedMs: number; numTensors: number | null } | null
  /** What this run steered with (its SAE and share state), for explaining its steered tokens. */
  steeredBy: { saeId: string; state: ShareState } | null
}

export interface SteeringState {
  saeId: string | null
  prompt: string
  features: SteerFeature[]
  positions: PositionPolicy
  steerBos: boolean
  sampling: SteerSampling
  seed: number
  run: SteeringRunState
  /** A share link that could not be opened (the app keeps working with the settings it had). */
  linkError: { code: string; message: string } | null
}

/** A TinyWorld prompt that mentions none of the presets' concepts, so a steered concept stands out. */
export const DEFAULT_STEER_PROMPT = 'Some sums:'
/** Greedy by default: the same link then gives the same tokens without caring about sampling details. */
export const DEFAULT_STEER_SAMPLING: SteerSampling = { temperature: 0, topK: 0, topP: 1, maxTokens: 30 }

export const initialSteeringState = (): SteeringState => ({
  saeId: null,
  prompt: DEFAULT_STEER_PROMPT,
  features: [],
  positions: 'all',
  steerBos: false,
  sampling: { ...DEFAULT_STEER_SAMPLING },
  seed: 1,
  run: { status: 'idle', requestId: null, promptIds: [], default: [], steered: [], result: null, steeredBy: null },
  linkError: null,
})

export interface SteeringSlice {
  steering: SteeringState
  patchSteering(update: Partial<Omit<SteeringState, 'run'>>): void
  steerRunStarted(requestId: RequestId, steeredBy: SteeringRunState['steeredBy']): void
  steerRunPrompt(promptIds: number[]): void
  steerToken(side: SteeringSide, token: SteerToken): void
  steerRunStopping(): void
  steerRunEnded(result: NonNullable<SteeringRunState['result']>): void
}

export const createSteeringSlice: StateCreator<SteeringSlice, [], [], SteeringSlice> = (set) => {
  const patchRun = (update: (r: SteeringRunState) => Partial<SteeringRunState>) => set((s) => ({ steering: { ...s.steering, run: { ...s.steering.run, ...update(s.steering.run) } } }))
  return {
    steering: initialSteeringState(),
    patchSteering: (update) => set((s) => ({ steering: { ...s.steering, ...update } })),
    steerRunStarted: (requestId, steeredBy) => patchRun(() => ({ status: 'running', requestId, promptIds: [], default: [], steered: [], result: null, steeredBy })),
    steerRunPrompt: (promptIds) => patchRun(() => ({ promptIds })),
    steerToken: (side, token) => patchRun((r) => ({ [side]: [...r[side], token] })),
    steerRunStopping: () => patchRun((r) => (r.status === 'running' ? { status: 'stopping' } : {})),
    steerRunEnded: (result) => patchRun(() => ({ status: 'idle', requestId: null, result })),
  }
}
