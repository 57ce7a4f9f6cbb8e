// Steering actions over the model worker: run default and steered columns from the playground's state, stop them,
// and turn the state into a share link and back. Max activations come from the explorer's precomputed summaries
// (the same numbers the CLI reads), or from the link that carried them.
import { decodeShareState, encodeShareState, SHARE_STATE_PARAM, SHARE_STATE_VERSION, ShareStateError, type ShareState } from '../core/steering/shareState.ts'
import { WorkerRequestError, type GenerationHandle, type ModelWorkerClient } from '../workers/client.ts'
import type { AppStore } from './appStore.ts'
import type { ExplorerActions } from './explorerActions.ts'
import type { SaeActions } from './saeActions.ts'
import type { SteerFeature, SteeringState } from './steeringSlice.ts'

export interface SteeringActions {
  update(update: Partial<Omit<SteeringState, 'run' | 'linkError'>>): void
  addFeature(feature: Partial<SteerFeature> & { index: number }): void
  updateFeature(position: number, update: Partial<SteerFeature>): void
  removeFeature(position: number): void
  /** Default and steered columns from the same seed; the SAE must be loaded in the worker under `saeId`. */
  run(): Promise<void>
  stop(): Promise<void>
  /** The state as a share link's state; throws ShareStateError (or an Error saying what is missing). */
  shareState(): Promise<ShareState>
  /** The page URL with ?steer= set and the steering view's hash. */
  shareUrl(pageUrl: string): Promise<string>
  /** Applies a link's `?steer=` text; on a bad link sets linkError and keeps the current settings. Returns success. */
  openLink(text: string): Promise<boolean>
  /** The max activation the run will use for a feature, or null when not known yet. */
  maxActOf(feature: SteerFeature): number | null
}

export function createSteeringActions(store: AppStore, opts: { worker: () => ModelWorkerClient; explorer: ExplorerActions; loadModel: (source: string) => Promise<void>; saes?: Pick<SaeActions, 'loadSae'> }): SteeringActions {
  const get = store.getState
  let handle: GenerationHandle | null = null

  const maxActOf = (f: SteerFeature): number | null => {
    if (f.maxAct !== undefined && f.maxAct !== null) return f.maxAct
    const saeId = get().steering.saeId
    const summary = saeId ? get().explorer.summaries[saeId] : undefined
    return summary?.status === 'ready' ? (summary.data.features[f.index]?.max_act ?? null) : null
  }

  const indexEntry = (saeId: string) => {
    const index = get().explorer.index
    return index?.status === 'ready' ? (index.data.saes.find((s) => s.id === saeId) ?? null) : null
  }

  const shareState = async (): Promise<ShareState> => {
    const s = get().steering
    const model = get().model.loaded
    if (!model) throw new Error('Load a model first')
    if (!s.saeId) throw new Error('Choose an SAE to steer with')
    await opts.explorer.loadSummary(s.saeId).catch(() => undefined) // for max activations; absolute strengths need none
    const entry = indexEntry(s.saeId)
    const interventions = s.features.map((f) => {
      if (f.unit === 'absolute') return { index: f.index, mode: f.mode, strength: { kind: 'absolute' as const, value: f.amount } }
      const maxAct = maxActOf(f)
      if (maxAct === null || !(maxAct > 0)) {
        throw new ShareStateError('INVALID', `Feature ${f.index}'s max activation is not known${maxAct === 0 ? ' (it never fires)' : ''}: give it an absolute strength`)
      }
      return { index: f.index, mode: f.mode, strength: { kind: 'maxMultiple' as const, multiple: f.amount, maxAct } }
    })
    return {
      version: SHARE_STATE_VERSION,
      model: model.input,
      sae: { source: entry?.path ?? get().saes.loaded[s.saeId]?.source ?? s.saeId, id: s.saeId, hook: null },
      prompt: s.prompt,
      interventions,
      positions: s.positions,
      steerBos: s.steerBos,
      sampling: { ...s.sampling },
      seed: s.seed,
      backend: model.backend.name,
    }
  }

  const report = (err: unknown, during: 'generate' | 'stop') => {
    const code = err instanceof WorkerRequestError ? err.code : err instanceof ShareStateError ? err.code : 'INVALID_ARGUMENT'
    get().pushError({ code, message: err instanceof Error ? err.message : String(err), during: code === 'WORKER' ? 'worker' : during })
  }

  const patchFeatures = (fn: (features: SteerFeature[]) => SteerFeature[]) => get().patchSteering({ features: fn(get().steering.features) })

  return {
    update: (update) => get().patchSteering(update),
    addFeature(feature) {
      patchFeatures((list) => [...list, { mode: 'clamp', unit: 'max', amount: 5, maxAct: null, ...feature }])
    },
    updateFeature: (position, update) => patchFeatures((list) => list.map((f, i) => (i === position ? { ...f, ...update } : f))),
    removeFeature: (position) => patchFeatures((list) => list.filter((_, i) => i !== position)),
    maxActOf,
    shareState,
    async shareUrl(pageUrl) {
      const url = new URL(pageUrl)
      url.searchParams.set(SHARE_STATE_PARAM, await encodeShareState(await shareState()))
      url.hash = '#/steer'
      return url.toString()
    },
    async run() {
      const s = get().steering
      if (s.run.status !== 'idle' || !s.saeId) return
      let state: ShareState
      try {
        state = await shareState()
        if (!get().saes.loaded[s.saeId]) throw new Error(`The SAE ${s.saeId} is not loaded yet`)
      } catch (err) {
        report(err, 'generate')
        return
      }
      const h = opts.worker().steer(
        { type: 'steer', saeId: s.saeId, state },
        { onPromptTokens: (t) => get().steerRunPrompt(t.ids), onToken: (t) => get().steerToken(t.side, { id: t.id, text: t.text }) },
      )
      handle = h
      get().steerRunStarted(h.requestId, { saeId: s.saeId, state })
      try {
        const done = await h.done
        get().steerRunEnded({ reason: done.reason, elapsedMs: done.elapsedMs, numTensors: done.numTensors })
      } catch (err) {
        get().steerRunEnded({ reason: 'error', elapsedMs: 0, numTensors: null })
        report(err, 'generate')
      } finally {
        if (handle === h) handle = null
      }
    },
    async stop() {
      if (!handle || get().steering.run.status !== 'running') return
      get().steerRunStopping()
      await handle.stop().catch((err: unknown) => report(err, 'stop'))
    },
    async openLink(text) {
      let state: ShareState
      try {
        state = await decodeShareState(text)
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        store.setState((st) => ({ steering: { ...st.steering, linkError: { code: err instanceof ShareStateError ? err.reason : 'UNKNOWN', message } } }))
        return false
      }
      const index = get().explorer.index
      const saeId = state.sae.id ?? (index?.status === 'ready' ? (index.data.saes.find((e) => e.path === state.sae.source)?.id ?? null) : null)
      store.setState((st) => ({
        steering: {
          ...st.steering,
          linkError: null,
          saeId: saeId ?? state.sae.source,
          prompt: state.prompt,
          features: state.interventions.map((i) =>
            i.strength.kind === 'absolute'
              ? { index: i.index, mode: i.mode, unit: 'absolute' as const, amount: i.strength.value, maxAct: null }
              : { index: i.index, mode: i.mode, unit: 'max' as const, amount: i.strength.multiple, maxAct: i.strength.maxAct },
          ),
          positions: state.positions,
          steerBos: state.steerBos,
          sampling: { ...state.sampling },
          seed: state.seed,
        },
      }))
      const loaded = get().model.loaded
      // main.tsx already loads the page's model at start; load the link's only when it is another one.
      if (loaded?.input !== state.model && get().model.sourceInput !== state.model) await opts.loadModel(state.model)
      // The link's SAE, when it is not one already loaded (or loading with the default index): from its own source.
      const wanted = get().steering.saeId
      const known = wanted !== null && (wanted in get().saes.loaded || wanted in get().saes.loading)
      const fromIndex = index?.status === 'ready' && index.data.saes.some((e) => e.id === wanted)
      if (!known && !fromIndex && opts.saes && get().model.status === 'ready') await opts.saes.loadSae({ kind: 'source', input: state.sae.source }, wanted ?? undefined)
      return true
    },
  }
}
