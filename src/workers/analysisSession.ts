// "Analyse this SAE" in the model worker: dashboards and a map for an SAE the user loaded, computed on the
// worker's model with the same code the CLI's `monoscope analyze` runs. Progress is streamed; the shared 'stop'
// request cancels. No DOM and no postMessage here, so it runs in Node tests.
import * as tf from '@tensorflow/tfjs'
import { analysisCorpus, type AnalysisCorpusSpec } from '../core/analysis/analysisCorpus.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import { resolveSaeHook } from '../core/sae/splice.ts'
import { ANALYSIS_TOKENS, type AnalyseSaeRequest, type SaeAnalysedResponse } from './analysisProtocol.ts'
import { analyseForExplorer } from './explorerAnalysis.ts'
import type { ModelSession } from './modelSession.ts'
import type { RequestId, WorkerResponse } from './protocol.ts'
import type { SaeSession } from './saeSession.ts'

type Emit = (response: WorkerResponse) => void

/** Progress events at most this often: a 16k-feature SAE would otherwise post thousands. */
const PROGRESS_EVENT_MS = 100

/** A text over this many characters is refused: the request itself would be larger than the analysis needs. */
const MAX_TEXT_CHARS = 20_000_000

export class AnalysisSession {
  private readonly runs = new Map<RequestId, AbortController>()

  constructor(
    private readonly models: ModelSession,
    private readonly saes: SaeSession,
  ) {}

  async analyse(request: AnalyseSaeRequest, emit: Emit): Promise<SaeAnalysedResponse> {
    const { tokens } = request
    if (!Number.isInteger(tokens) || tokens < ANALYSIS_TOKENS.min || tokens > ANALYSIS_TOKENS.max) {
      throw new InvalidArgumentError(`Analyse between ${ANALYSIS_TOKENS.min} and ${ANALYSIS_TOKENS.max} tokens, got ${tokens}`)
    }
    if (request.corpus.kind === 'text' && request.corpus.text.length > MAX_TEXT_CHARS) {
      throw new InvalidArgumentError(`${request.corpus.name} has ${request.corpus.text.length} characters; the analysis reads at most ${MAX_TEXT_CHARS}`)
    }
    const controller = new AbortController() // registered before queueing, so a stop reaches a request still waiting
    this.runs.set(request.requestId, controller)
    const started = performance.now()
    try {
      return await this.models.useModel(async ({ model, tokenizer, summary }) => {
        const { sae } = this.saes.get(request.saeId)
        const hook = resolveSaeHook(model, sae)
        const others = request.neighbourSaeIds
          .filter((id) => id !== request.saeId)
          .map((id) => ({ id, sae: this.saes.get(id).sae }))
          .filter((o) => o.sae.config.dIn === sae.config.dIn && o.sae.config.metadata.hookName === sae.config.metadata.hookName)
        const spec: AnalysisCorpusSpec =
          request.corpus.kind === 'world' ? { kind: 'world', seed: request.corpus.seed } : { kind: 'lines', name: request.corpus.name, lines: request.corpus.text.split(/\r?\n/) }
        const corpus = analysisCorpus(model, tokenizer, sae, spec, tokens)
        let last = -Infinity
        const analysis = await analyseForExplorer({
          model,
          modelId: summary.source,
          tokenizer,
          sae,
          saeId: request.saeId,
          hook,
          corpus,
          others,
          map: request.map,
          seed: request.corpus.kind === 'world' ? request.corpus.seed : 0,
          signal: controller.signal,
          onProgress: (fraction, stage) => {
            const now = performance.now()
            if (now - last < PROGRESS_EVENT_MS && fraction < 1) return
            last = now
            emit({ type: 'analysisProgress', requestId: request.requestId, stage, fraction })
          },
        })
        return {
          type: 'saeAnalysed',
          requestId: request.requestId,
          saeId: request.saeId,
          analysis,
          tokens: analysis.summary.corpus.tokens,
          elapsedMs: performance.now() - started,
          numTensors: tf.memory().numTensors,
        } satisfies SaeAnalysedResponse
      })
    } finally {
      this.runs.delete(request.requestId)
    }
  }

  /** Cancels an analysis; unknown or finished targets are ignored (the shared 'stop' reaches every session). */
  stop(target: RequestId): void {
    this.runs.get(target)?.abort()
  }
}
