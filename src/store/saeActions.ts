// SAE actions over the model worker: load (URL, Hub, app folder or picked files), unload, and encode a prompt.
// Failures become store errors (context 'sae') and the loader's lastError; nothing loaded before is lost.
import type { ModelWorkerClient } from '../workers/client.ts'
import { WorkerRequestError } from '../workers/client.ts'
import type { PromptInput, RequestBody } from '../workers/protocol.ts'
import type { AnalysisProgressResponse, SaeAnalysedResponse } from '../workers/analysisProtocol.ts'
import { defaultSaeId, type AttributionResponse, type ContrastResponse, type ContrastSets, type PromptFeaturesResponse, type SaeSourceSpec, type SaeSummary } from '../workers/saeProtocol.ts'
import type { ShareState } from '../core/steering/shareState.ts'
import type { AppStore } from './appStore.ts'
import { resolveSourceInput } from './sourceSpec.ts'

/** What the UI passes: typed text (a folder next to the page, a URL, hf:…) or files from a picker or a drop. */
export type SaeInput = { kind: 'source'; input: string; subfolder?: string } | { kind: 'files'; files: { name: string; data: Blob | ArrayBuffer | Uint8Array }[] }

export interface SaeActions {
  /** Resolves to the SAE's metadata, or null when the load failed (the error is in the store). */
  loadSae(input: SaeInput, id?: string): Promise<SaeSummary | null>
  unloadSae(id: string): Promise<void>
  /** Throws WorkerRequestError; callers that show results decide how to report. */
  encodePrompt(saeId: string, prompt: PromptInput, opts?: { topK?: number; position?: number | null }): Promise<PromptFeaturesResponse>
  /** Why the token at `position` of the prompt (BOS included): throws WorkerRequestError. */
  attribute(saeId: string, prompt: PromptInput, position: number, steering?: ShareState): Promise<AttributionResponse>
  contrast(saeId: string, sets: ContrastSets, target: string | null): Promise<ContrastResponse>
  /** Starts "analyse this SAE" in the worker; `done` rejects with WorkerRequestError (CANCELLED after stop()). */
  analyse(body: Omit<RequestBody<'analyseSae'>, 'type'>, onProgress: (event: AnalysisProgressResponse) => void): { done: Promise<SaeAnalysedResponse>; stop: () => Promise<void> }
}

export function createSaeActions(store: AppStore, opts: { worker: () => ModelWorkerClient; pageUrl: string; hubEndpoint?: string }): SaeActions {
  const get = store.getState
  const modelSettled = () =>
    new Promise<void>((resolve) => {
      if (get().model.status !== 'loading') return resolve()
      const unsubscribe = store.subscribe((s) => {
        if (s.model.status === 'loading') return
        unsubscribe()
        resolve()
      })
    })
  const isIndexSae = (id: string) => {
    const index = get().explorer.index
    return index?.status === 'ready' && index.data.saes.some((s) => s.id === id)
  }
  return {
    async loadSae(input, id) {
      const spec: SaeSourceSpec =
        input.kind === 'files'
          ? { kind: 'files', files: input.files }
          : {
              kind: 'source',
              source: resolveSourceInput(input.input, opts.pageUrl),
              ...(input.subfolder ? { subfolder: input.subfolder } : {}),
              ...(opts.hubEndpoint ? { hubEndpoint: opts.hubEndpoint } : {}),
            }
      const saeId = id ?? defaultSaeId(spec)
      const label = input.kind === 'files' ? input.files.map((f) => f.name).join(', ') : input.input + (input.subfolder ? `/${input.subfolder}` : '')
      get().saeLoadStarted(saeId, label)
      try {
        // SAE tensors live on the model's backend: a load asked for while the model loads waits for it.
        await modelSettled()
        if (get().model.status !== 'ready') throw new WorkerRequestError('INVALID_ARGUMENT', 'Load a model first: an SAE runs on the model, and on its backend', 'loadSae')
        const reply = await opts.worker().loadSae({ type: 'loadSae', id: saeId, spec }, (p) => get().saeLoadProgress(saeId, { file: p.file, loaded: p.loaded, total: p.total }))
        // Another SAE may have been under this id (files keep their names): its dashboards and map no longer apply.
        if (!isIndexSae(saeId)) get().forgetAnalysis(saeId)
        // Only this SAE's own earlier failure is cleared: the default SAEs loading must not hide a user's error.
        if (get().saes.lastError?.id === saeId) get().clearErrors('sae')
        get().saeLoadSucceeded(reply.sae)
        return reply.sae
      } catch (err) {
        const code = err instanceof WorkerRequestError ? err.code : 'UNKNOWN'
        const message = err instanceof Error ? err.message : String(err)
        get().saeLoadFailed(saeId, { id: saeId, label, code, message })
        if (code !== 'CANCELLED') get().pushError({ code, message, during: code === 'WORKER' ? 'worker' : 'sae', source: label })
        return null
      }
    },
    async unloadSae(id) {
      get().saeUnloaded(id)
      await opts.worker().unloadSae(id).catch(() => undefined) // a dead worker has unloaded it already
    },
    analyse: (body, onProgress) => opts.worker().analyseSae({ type: 'analyseSae', ...body }, onProgress),
    attribute: (saeId, prompt, position, steering) => opts.worker().attribute({ type: 'attribute', saeId, prompt, position, ...(steering ? { steering } : {}) }),
    contrast: (saeId, sets, target) => opts.worker().contrast({ type: 'contrast', saeId, sets, target }),
    encodePrompt: (saeId, prompt, o = {}) => opts.worker().encodePrompt({ type: 'encodePrompt', saeId, prompt, topK: o.topK, position: o.position ?? null }),
  }
}
