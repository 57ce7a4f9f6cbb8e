// Steering in the model worker: one share state → default and steered token streams from the same seed, through
// the same core code as `monoscope generate --share` (runState.ts), so a link gives the CLI's tokens on the same
// backend. No DOM and no postMessage here, so it runs in Node tests.
import * as tf from '@tensorflow/tfjs'
import { generateSideBySide, generateSteered } from '../core/steering/steer.ts'
import { steeringRunFromState } from '../core/steering/runState.ts'
import { createStreamingDecoder } from '../core/tokenizer/tokenizer.ts'
import { TokenizerError } from '../core/errors.ts'
import type { ModelSession } from './modelSession.ts'
import type { DoneReason, DoneResponse, RequestId, WorkerResponse } from './protocol.ts'
import type { SaeSession } from './saeSession.ts'
import type { SteerRequest, SteeringSide } from './steeringProtocol.ts'

type Emit = (response: WorkerResponse) => void

export class SteeringSession {
  private readonly runs = new Map<RequestId, AbortController>()

  constructor(
    private readonly models: ModelSession,
    private readonly saes: SaeSession,
    private readonly yieldToEvents: () => Promise<void> = () => new Promise((resolve) => setTimeout(resolve, 0)),
  ) {}

  async steer(request: SteerRequest, emit: Emit): Promise<DoneResponse> {
    const controller = new AbortController() // registered before queueing, so a stop reaches a run still waiting
    this.runs.set(request.requestId, controller)
    const started = performance.now()
    try {
      return await this.models.useModel(async ({ model, tokenizer }) => {
        if (!tokenizer) throw new TokenizerError('This model has no tokenizer.json, so it cannot read a steering prompt')
        const { sae } = this.saes.get(request.saeId)
        const run = steeringRunFromState(model, tokenizer, sae, request.state)
        emit({ type: 'tokens', requestId: request.requestId, ids: run.promptIds, pieces: run.promptIds.map((id) => tokenizer.decodeToken(id)) })
        const options = { ...run.options, signal: controller.signal }
        const decoders = { default: createStreamingDecoder(tokenizer, { context: run.promptIds }), steered: createStreamingDecoder(tokenizer, { context: run.promptIds }) }
        const counts = { default: 0, steered: 0 }
        const ended = { default: false, steered: false }
        const push = (side: SteeringSide, id: number | null) => {
          if (id === null || ended[side]) return
          // The end-of-text token ends a column and is not part of it (as in the CLI's output).
          if (run.stopTokenIds.includes(id)) {
            ended[side] = true
            return
          }
          emit({ type: 'steerToken', requestId: request.requestId, side, index: counts[side]++, id, text: decoders[side].push(id) })
        }
        let reason: DoneReason = 'maxTokens'
        try {
          if (request.steeredOnly) {
            for await (const id of generateSteered(model, sae, run.promptIds, options)) {
              push('steered', id)
              await this.yieldToEvents()
              if (controller.signal.aborted) break
            }
          } else {
            for await (const step of generateSideBySide(model, sae, run.promptIds, options)) {
              push('default', step.default)
              push('steered', step.steered)
              await this.yieldToEvents()
              if (controller.signal.aborted) break
            }
          }
          if (controller.signal.aborted) reason = 'stopped'
          else if (ended.steered || ended.default) reason = 'eos'
        } catch (err) {
          if (!controller.signal.aborted) throw err
          reason = 'stopped'
        }
        return { type: 'done', requestId: request.requestId, reason, generated: counts.steered, elapsedMs: performance.now() - started, numTensors: tf.memory().numTensors }
      })
    } finally {
      this.runs.delete(request.requestId)
    }
  }

  /** Stops a steering run; unknown or finished targets are ignored (the shared 'stop' reaches every session). */
  stop(target: RequestId): void {
    this.runs.get(target)?.abort()
  }
}
