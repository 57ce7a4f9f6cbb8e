// Explorer actions: fetch and validate the precomputed data (index, summaries, shards, map) relative to the page,
// load the index's SAEs into the worker, and run the prompt inspector. Failures land in the store as data.
import { decodeJsonBytes, parseFeatureShard, parseFeatureSummary, shardOf, SUMMARY_FILENAME } from '../core/analysis/featureFolder.ts'
import { parseFeatureMap, type FeatureRecord } from '../core/analysis/format.ts'
import { featureNeuronsPathOf, parseFeatureNeurons } from '../core/analysis/featureNeuronsFile.ts'
import { conceptCeilingsPathOf, parseConceptCeilings } from '../core/analysis/conceptCeilingsFile.ts'
import { parseSaeIndex, type SaeIndex, type SaeIndexEntry } from '../core/analysis/saeIndex.ts'
import { MonoscopeError } from '../core/errors.ts'
import type { ShareState } from '../core/steering/shareState.ts'
import { WorkerRequestError } from '../workers/client.ts'
import type { WorkerErrorCode } from '../workers/protocol.ts'
import type { AnalysisCorpusInput } from '../workers/analysisProtocol.ts'
import type { AppStore } from './appStore.ts'
import { NO_WHY, NOT_ANALYSED } from './explorerSlice.ts'
import { indexSaeMisfit, indexSaeWidthMisfit } from './indexSaeFit.ts'
import type { SaeActions } from './saeActions.ts'
import { parseSteeringReport } from '../core/steering/steeringReport.ts'
import { parseScalingSweepFile } from '../core/sae/scaling/scalingFile.ts'
import { limitsFor, readBody } from '../core/sources/http.ts'

/** Where the app's SAE index lives, relative to the page. */
export const DEFAULT_SAE_INDEX = 'saes/tinyworld/index.json'

export interface ExplorerActions {
  loadIndex(path?: string): Promise<SaeIndex | null>
  /**
   * After each model load: loads the index's SAEs that apply to the model into the worker under their index ids,
   * and unloads those that do not (they read another model); explorer.indexSaesSkipped says why.
   */
  loadIndexSaes(): Promise<void>
  loadSummary(saeId: string): Promise<void>
  /** Fetches an index SAE's features-vs-neurons table once; an SAE without one gets an error entry (nothing shown). */
  loadNeurons(saeId: string): Promise<void>
  /** Fetches the probe ceilings of an index SAE's hook once; an SAE without them gets an error entry (nothing shown). */
  loadCeilings(saeId: string): Promise<void>
  /** Fetches the index's steering report once (presets and "add by concept" choose features with it). */
  loadSteeringReport(): Promise<void>
  /** Fetches the index family's scaling sweep once (the Reports page); an error when the index names no reports folder. */
  loadScaling(): Promise<void>
  /** Fetches the shard holding `index` (once), so its page appears in the store. */
  loadFeature(saeId: string, index: number): Promise<void>
  loadMap(): Promise<void>
  /** Analyses a loaded SAE in the worker (dashboards, and its map unless map is false); progress goes to explorer.analyses. */
  analyse(saeId: string, request: { corpus: AnalysisCorpusInput; tokens: number; map: boolean }): Promise<void>
  cancelAnalysis(saeId: string): Promise<void>
  setInspectorText(text: string): void
  setInspectorSae(saeId: string): void
  /** Runs the inspector's text through the model and SAE; position lists all features of that token. */
  inspect(position?: number | null): Promise<void>
  /** "Why this token?": attribution and ablation of the features before the inspected token at `position`. */
  explainToken(position: number): Promise<void>
  /**
   * "Why this token?" for a generated sequence: inspects exactly these ids (the text is shown) and explains the
   * token at `position` (an index into ids, before any BOS the SAE adds).
   */
  explainSequence(ids: number[], position: number, text: string, steering?: { saeId: string; state: ShareState }): Promise<void>
  closeWhy(): void
}

function failure(err: unknown): { status: 'error'; code: WorkerErrorCode; message: string } {
  if (err instanceof MonoscopeError || err instanceof WorkerRequestError) return { status: 'error', code: err.code, message: err.message }
  return { status: 'error', code: 'UNKNOWN', message: err instanceof Error ? err.message : String(err) }
}

class FetchError extends MonoscopeError {}

/** Where scaling-sweep writes inside a family's reports folder (its default --out). */
export const SCALING_FOLDER = 'scaling'

export function createExplorerActions(store: AppStore, opts: { saes: SaeActions; pageUrl: string; fetch?: typeof fetch }): ExplorerActions {
  const get = store.getState
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init))
  const inFlight = new Map<string, Promise<void>>()
  let indexBase = opts.pageUrl
  let inspectSeq = 0
  let whySeq = 0
  const analysisRuns = new Map<string, { stop: () => Promise<void> }>()

  const fetchJson = async (url: string): Promise<unknown> => {
    let response: Response
    try {
      response = await doFetch(url)
    } catch (err) {
      throw new FetchError('SOURCE_NETWORK', `Could not fetch ${url}: ${err instanceof Error ? err.message : String(err)}`)
    }
    if (response.status === 404) throw new FetchError('SOURCE_NOT_FOUND', `${url} was not found (404)`)
    if (!response.ok) throw new FetchError('SOURCE_NETWORK', `${url} answered HTTP ${response.status}`)
    // Read as the model loaders read: capped (declared and received bytes, JSON's ceiling, gzip or not) and with a
    // stall timeout, so a hostile or broken server cannot exhaust the tab or hang it.
    const target = { file: url.slice(url.lastIndexOf('/') + 1) || url, url, where: "the app's analysis files" }
    return decodeJsonBytes(await readBody(response, target, {}, limitsFor('analysis.json')))
  }

  /** Paths in the index are relative to the app's base, which is where the page is. */
  const urlOf = (relative: string) => new URL(relative, indexBase).href
  const entryOf = (saeId: string): SaeIndexEntry | null => {
    const index = get().explorer.index
    return index?.status === 'ready' ? (index.data.saes.find((s) => s.id === saeId) ?? null) : null
  }
  const once = (key: string, task: () => Promise<void>): Promise<void> => {
    const running = inFlight.get(key)
    if (running) return running
    const promise = task().finally(() => inFlight.delete(key))
    inFlight.set(key, promise)
    return promise
  }

  const loadSummary = (saeId: string) =>
    once(`summary:${saeId}`, async () => {
      const existing = get().explorer.summaries[saeId]
      if (existing?.status === 'ready') return
      const entry = entryOf(saeId)
      if (!entry?.analysis) {
        // A loaded or trained SAE: the explorer offers to analyse it in the browser.
        const loaded = saeId in get().saes.loaded
        get().setSummary(saeId, {
          status: 'error',
          code: loaded ? NOT_ANALYSED : 'SOURCE_NOT_FOUND',
          message: loaded ? `${saeId} has no analysis yet: analyse it to see its features` : `No SAE "${saeId}" is loaded, and the index has no analysis for it`,
        })
        return
      }
      get().setSummary(saeId, { status: 'loading' })
      try {
        const summary = parseFeatureSummary(await fetchJson(urlOf(`${entry.analysis}/${SUMMARY_FILENAME}`)))
        if (summary.sae.id !== saeId) throw new FetchError('ANALYSIS_FORMAT', `The summary in ${entry.analysis} is for "${summary.sae.id}", not "${saeId}"`)
        get().setSummary(saeId, { status: 'ready', data: summary })
      } catch (err) {
        get().setSummary(saeId, failure(err))
      }
    })

  const api: ExplorerActions = {
    async loadIndex(path = DEFAULT_SAE_INDEX) {
      // Paths inside the index are relative to the app base: the folder two levels above saes/<name>/index.json.
      indexBase = opts.pageUrl
      get().setIndex({ status: 'loading' })
      try {
        const index = parseSaeIndex(await fetchJson(new URL(path, opts.pageUrl).href))
        get().setIndex({ status: 'ready', data: index })
        return index
      } catch (err) {
        const f = failure(err)
        get().setIndex(f)
        get().pushError({ code: f.code, message: f.message, during: 'explorer' })
        return null
      }
    },
    async loadIndexSaes() {
      const index = get().explorer.index
      const model = get().model.loaded
      if (index?.status !== 'ready' || !model) return
      let skipped: string | null = null
      for (const entry of index.data.saes) {
        if (get().model.loaded !== model) return // a newer model's own call takes over
        const misfit = indexSaeMisfit(index.data, entry, model)
        if (misfit === null) {
          // Loaded again even when held: a reload may have moved the model to another backend, where the SAE must live.
          const sae = await opts.saes.loadSae({ kind: 'source', input: entry.path }, entry.id)
          const wide = sae && indexSaeWidthMisfit(sae.dIn, model)
          if (!wide) continue
          skipped ??= wide
        } else skipped ??= misfit
        if (get().saes.loaded[entry.id]) await opts.saes.unloadSae(entry.id)
      }
      if (get().model.loaded === model) get().setIndexSaesSkipped(skipped)
    },
    loadSummary,
    loadNeurons: (saeId) =>
      once(`neurons:${saeId}`, async () => {
        if (get().explorer.neurons[saeId]?.status === 'ready') return
        const entry = entryOf(saeId)
        if (!entry) return get().setNeurons(saeId, { status: 'error', code: 'SOURCE_NOT_FOUND', message: `${saeId} is not in the SAE index` })
        try {
          get().setNeurons(saeId, { status: 'ready', data: parseFeatureNeurons(await fetchJson(urlOf(featureNeuronsPathOf(entry.path)))) })
        } catch (err) {
          get().setNeurons(saeId, failure(err))
        }
      }),
    loadCeilings: (saeId) =>
      once(`ceilings:${saeId}`, async () => {
        if (get().explorer.ceilings[saeId]?.status === 'ready') return
        const entry = entryOf(saeId)
        if (!entry) return get().setCeilings(saeId, { status: 'error', code: 'SOURCE_NOT_FOUND', message: `${saeId} is not in the SAE index` })
        try {
          get().setCeilings(saeId, { status: 'ready', data: parseConceptCeilings(await fetchJson(urlOf(conceptCeilingsPathOf(entry.path)))) })
        } catch (err) {
          get().setCeilings(saeId, failure(err))
        }
      }),
    async loadSteeringReport() {
      const index = get().explorer.index
      const path = index?.status === 'ready' ? index.data.steering_report : undefined
      if (!path) return // asked again once the index is in (the picker's effect depends on it)
      await once('steering-report', async () => {
        try {
          get().setSteeringReport({ status: 'ready', data: parseSteeringReport(await fetchJson(urlOf(path))) })
        } catch (err) {
          get().setSteeringReport(failure(err)) // the presets fall back to the summary's writers and detectors
        }
      })
    },
    async loadScaling() {
      const index = get().explorer.index
      if (index?.status !== 'ready') return // asked again once the index is in
      const folder = index.data.reports
      if (!folder) return get().setScaling({ status: 'error', code: 'SOURCE_NOT_FOUND', message: 'This build ships no SAE family reports (the SAE index names no reports folder)' })
      await once('scaling', async () => {
        if (get().explorer.scaling?.status === 'ready') return
        get().setScaling({ status: 'loading' })
        try {
          get().setScaling({ status: 'ready', data: parseScalingSweepFile(await fetchJson(urlOf(`${folder}/${SCALING_FOLDER}/scaling.json`))) })
        } catch (err) {
          get().setScaling(failure(err))
        }
      })
    },
    async loadFeature(saeId, featureIndex) {
      await loadSummary(saeId)
      const summary = get().explorer.summaries[saeId]
      if (summary?.status !== 'ready') return
      const entry = entryOf(saeId)!
      let where: { shard: number; name: string }
      try {
        where = shardOf(summary.data, featureIndex)
      } catch {
        return // the dashboard says the feature does not exist
      }
      await once(`shard:${saeId}#${where.shard}`, async () => {
        const key = `${saeId}#${where.shard}`
        if (get().explorer.shards[key]?.status === 'ready') return
        get().setShard(saeId, where.shard, { status: 'loading' })
        try {
          const json = await fetchJson(urlOf(`${entry.analysis}/${where.name}`))
          const shard = parseFeatureShard(json, { saeId, shard: where.shard, shardSize: summary.data.shard_size, dSae: summary.data.sae.d_sae })
          get().setShard(saeId, where.shard, { status: 'ready', data: shard.features as FeatureRecord[] })
        } catch (err) {
          get().setShard(saeId, where.shard, failure(err))
        }
      })
    },
    loadMap: () =>
      once('map', async () => {
        if (get().explorer.map?.status === 'ready') return
        const index = get().explorer.index
        if (index?.status !== 'ready') return
        if (!index.data.map) {
          get().setMap({ status: 'error', code: 'SOURCE_NOT_FOUND', message: 'The SAE index lists no map' })
          return
        }
        get().setMap({ status: 'loading' })
        try {
          get().setMap({ status: 'ready', data: parseFeatureMap(await fetchJson(urlOf(index.data.map))) })
        } catch (err) {
          get().setMap(failure(err))
        }
      }),
    async analyse(saeId, request) {
      if (analysisRuns.has(saeId)) return
      const neighbourSaeIds = Object.keys(get().saes.loaded).filter((id) => id !== saeId)
      get().setAnalysisJob(saeId, { status: 'running', stage: 'queued', fraction: 0, tokens: request.tokens })
      const run = opts.saes.analyse({ saeId, ...request, neighbourSaeIds }, (e) =>
        get().setAnalysisJob(saeId, { status: 'running', stage: e.stage, fraction: e.fraction, tokens: request.tokens }),
      )
      analysisRuns.set(saeId, run)
      try {
        const reply = await run.done
        get().analysisArrived(saeId, reply.analysis)
        get().setAnalysisJob(saeId, { status: 'done', tokens: reply.tokens, elapsedMs: reply.elapsedMs })
      } catch (err) {
        const f = failure(err)
        get().setAnalysisJob(saeId, f.code === 'CANCELLED' ? { status: 'cancelled' } : { status: 'error', code: f.code, message: f.message })
      } finally {
        analysisRuns.delete(saeId)
      }
    },
    async cancelAnalysis(saeId) {
      await analysisRuns.get(saeId)?.stop()
    },
    setInspectorText: (text) => get().patchInspector({ text, ids: null, steering: null }),
    setInspectorSae: (saeId) => get().patchInspector({ saeId, result: null, status: 'idle', why: NO_WHY, steering: null }),
    closeWhy: () => {
      whySeq++
      get().patchInspector({ why: NO_WHY })
    },
    async explainSequence(ids, position, text, steering) {
      // A steered column is explained with the SAE that steered it.
      get().patchInspector({ text, ids: [...ids], steering: steering?.state ?? null, why: NO_WHY, ...(steering ? { saeId: steering.saeId } : {}) })
      // Twice: the first pass says whether the SAE adds a BOS, which shifts the clicked token's index.
      for (let pass = 0; pass < 2; pass++) {
        const seq = inspectSeq + 1
        const before = get().explorer.inspector.result
        await api.inspect(pass === 0 ? null : position + (before?.addedBos ? 1 : 0))
        // A newer inspection, or one that failed (the inspector shows its error), ends it here.
        if (seq !== inspectSeq || get().explorer.inspector.status !== 'ready') return
      }
      const result = get().explorer.inspector.result!
      await api.explainToken(position + (result.addedBos ? 1 : 0))
    },
    async explainToken(position) {
      const { result } = get().explorer.inspector
      if (!result) return
      const seq = ++whySeq
      // The ids the inspector showed, so the position means the same token even if the text box changed since.
      get().patchInspector({ why: { status: 'running', position, result: null, error: null } })
      try {
        const steering = get().explorer.inspector.steering
        const why = await opts.saes.attribute(result.saeId, { kind: 'ids', ids: result.ids }, position, steering ?? undefined)
        if (seq === whySeq) get().patchInspector({ why: { status: 'ready', position, result: why, error: null } })
      } catch (err) {
        const f = failure(err)
        if (seq === whySeq) get().patchInspector({ why: { status: 'error', position, result: null, error: { code: f.code, message: f.message } } })
      }
    },
    async inspect(position = null) {
      const { text, ids, saeId: chosen } = get().explorer.inspector
      const saeId = chosen ?? Object.keys(get().saes.loaded)[0] ?? null
      if (saeId === null) {
        get().patchInspector({ status: 'error', error: { code: 'INVALID_ARGUMENT', message: 'No SAE is loaded yet' } })
        return
      }
      const seq = ++inspectSeq
      get().patchInspector({ status: 'running', saeId, error: null })
      try {
        const result = await opts.saes.encodePrompt(saeId, ids ? { kind: 'ids', ids } : { kind: 'text', text }, { topK: 5, position })
        // Only the newest request's reply is shown; an older one arriving late is dropped.
        if (seq === inspectSeq) {
          // An explanation of other tokens no longer applies.
          const why = get().explorer.inspector.why
          const same = why.result === null || (why.result.saeId === result.saeId && why.result.ids.join() === result.ids.join())
          get().patchInspector({ status: 'ready', result, ...(same ? {} : { why: NO_WHY }) })
        }
      } catch (err) {
        const f = failure(err)
        if (seq === inspectSeq) get().patchInspector({ status: 'error', error: { code: f.code, message: f.message } })
      }
    },
  }
  return api
}
