// The model worker's steering messages: run one steering demo (a share state) as default and steered streams from
// the same seed. protocol.ts adds these to its unions; a generation is stopped with the shared 'stop' request.
// Type-only imports: the main thread imports this file, and it must never pull tfjs in.
import type { ShareState } from '../core/steering/shareState.ts'
import type { RequestId } from './protocol.ts'

export type SteeringSide = 'default' | 'steered'

export interface SteerRequest {
  type: 'steer'
  requestId: RequestId
  /** The SAE to steer with, loaded under this id (SaeSession). */
  saeId: string
  /** The whole demo, as in a share link; its model and SAE sources are for the link, the worker uses what is loaded. */
  state: ShareState
  /** Run only the steered column (the default one is not needed). */
  steeredOnly?: boolean
}

/** One generated token of one column; the prompt's tokens come first as a 'tokens' reply. */
export interface SteerTokenResponse {
  type: 'steerToken'
  requestId: RequestId
  side: SteeringSide
  /** 0-based position among this column's generated tokens. */
  index: number
  id: number
  /** The text this token adds to its column; '' while a multi-byte character is incomplete. */
  text: string
}

export type SteeringRequest = SteerRequest
export type SteeringResponse = SteerTokenResponse

/** The final reply of each steering request; protocol.ts spreads this into FINAL_RESPONSE. */
export const STEERING_FINAL_RESPONSE = {
  steer: 'done',
} as const satisfies Record<SteeringRequest['type'], 'done'>
