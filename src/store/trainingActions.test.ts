// Training actions over a fake training worker: a run's updates stream into the store, a finished run opens in the
// model worker with its dashboards in the explorer's state, a reload's listing keeps the live run, and errors land
// in the training slice.
import { describe, expect, it } from 'vitest'
import { defaultTrainingSettings } from '../core/sae/trainingRunSettings.ts'
import type { SaeSummary } from '../workers/saeProtocol.ts'
import { TrainingWorkerClient, type TrainingPort } from '../workers/trainingClient.ts'
import type { TrainingRequest, TrainingResponse, TrainingRunSummary } from '../workers/trainingProtocol.ts'
import { createAppStore } from './appStore.ts'
import type { SaeActions } from './saeActions.ts'
import { createTrainingActions } from './trainingActions.ts'

const settings = defaultTrainingSettings(128, 256)
const summary = (over: Partial<TrainingRunSummary>): TrainingRunSummary => ({
  runId: 'abcdef123456',
  name: 'demo',
  status: 'running',
  step: 0,
  totalSteps: settings.steps,
  settings,
  modelSource: 'http://x/models/tinyworld',
  backend: 'wasm',
  fineTunedFrom: null,
  createdAt: 1,
  updatedAt: 1,
  log: [],
  ce: [],
  tokensPerSecond: null,
  etaSeconds: null,
  prepare: null,
  error: null,
  final: null,
  hasCheckpoint: false,
  analysed: null,
  ...over,
})

/** A worker that answers each request type the way the real one does, from a script. */
function fakeWorker(answer: (req: TrainingRequest, reply: (r: TrainingResponse) => void) => void): { client: TrainingWorkerClient; seen: TrainingRequest[] } {
  const listeners: ((e: MessageEvent<TrainingResponse>) => void)[] = []
  const seen: TrainingRequest[] = []
  const port: TrainingPort = {
    postMessage: (req) => {
      seen.push(req)
      queueMicrotask(() => answer(req, (r) => listeners.forEach((l) => l({ data: r } as MessageEvent<TrainingResponse>))))
    },
    addEventListener: ((type: string, l: (e: MessageEvent<TrainingResponse>) => void) => {
      if (type === 'message') listeners.push(l)
    }) as TrainingPort['addEventListener'],
    terminate: () => {},
  }
  return { client: new TrainingWorkerClient(port), seen }
}

function setup(answer: Parameters<typeof fakeWorker>[0]) {
  const store = createAppStore()
  store.getState().loadSucceeded({
    input: 'models/tinyworld',
    summary: { source: 'http://x/models/tinyworld', family: 'gpt2', engine: { kind: 'tfjs' as const, executionProvider: 'wasm', weightsFile: 'model.safetensors' }, nLayers: 4, dModel: 128, nCtx: 256, vocabSize: 986, bosTokenId: 0, eosTokenId: 0, hasTokenizer: true, speaksTinyWorld: true },
    backend: { name: 'wasm', detail: 'WASM' },
    hookNames: [],
    loadMs: 1,
  })
  const loads: { input: unknown; id: string | undefined }[] = []
  const saes = { loadSae: async (input, id) => (loads.push({ input, id }), { id } as SaeSummary), unloadSae: async () => {}, encodePrompt: async () => ({}) as never, attribute: async () => ({}) as never, contrast: async () => ({}) as never, analyse: () => ({ done: new Promise(() => {}), stop: async () => {} }) } as SaeActions
  const { client, seen } = fakeWorker(answer)
  const actions = createTrainingActions(store, { spawn: () => client, saes, pageUrl: 'http://x/' })
  return { store, actions, seen, loads }
}

describe('training actions', () => {
  it('streams a run, opens the finished SAE with its dashboards and map', async () => {
    const done = summary({ status: 'finished', step: settings.steps })
    const map = { format: 'monoscope.feature-map', saes: [{ id: 'trained/demo-abcdef', d_sae: 2 }] }
    const analysis = { summary: { sae: { id: 'trained/demo-abcdef' } }, shards: [[{ index: 0 }], [{ index: 64 }]], map }
    const { store, actions, seen, loads } = setup((req, reply) => {
      if (req.type === 'loadTrainingModel') reply({ type: 'trainingModelLoaded', requestId: req.requestId, source: req.source, backend: { name: 'wasm', detail: 'WASM' } })
      if (req.type === 'startRun') {
        reply({ type: 'runUpdate', requestId: req.requestId, run: summary({ step: 10 }) })
        reply({ type: 'runEnded', requestId: req.requestId, run: done, outcome: 'finished', files: [], analysis: null, numTensors: 0 })
      }
      if (req.type === 'runFiles') reply({ type: 'runFilesReply', requestId: req.requestId, runId: req.runId, files: [{ name: 'cfg.json', data: new Uint8Array(1) }], analysis: analysis as never })
    })
    const seenSteps: number[] = []
    store.subscribe((s) => s.training.runs.abcdef123456 && seenSteps.push(s.training.runs.abcdef123456.step))
    await actions.start({ name: 'demo', settings, fineTune: { kind: 'path', path: 'saes/x', label: 'x' } })
    expect(seen.map((r) => r.type)).toEqual(['loadTrainingModel', 'startRun', 'runFiles'])
    const start = seen[1] as Extract<TrainingRequest, { type: 'startRun' }>
    expect(start.fineTune).toEqual({ spec: { kind: 'source', source: 'http://x/saes/x' }, label: 'x' })
    expect(seenSteps).toContain(10)
    const t = store.getState().training
    expect(t.runs.abcdef123456!.status).toBe('finished')
    expect(t.activeRunId).toBeNull()
    expect(loads).toEqual([{ input: { kind: 'files', files: [{ name: 'cfg.json', data: new Uint8Array(1) }] }, id: 'trained/demo-abcdef' }])
    const e = store.getState().explorer
    expect(e.summaries['trained/demo-abcdef']?.status).toBe('ready')
    expect(e.shards['trained/demo-abcdef#1']).toEqual({ status: 'ready', data: [{ index: 64 }] })
    expect(e.saeMaps['trained/demo-abcdef']).toBe(map)
  })

  it('after a reload, a finished run’s saved dashboards and map come back into the explorer on demand', async () => {
    const done = summary({ status: 'finished', step: settings.steps, analysed: { map: true } })
    const map = { format: 'monoscope.feature-map', saes: [{ id: 'trained/demo-abcdef', d_sae: 2 }] }
    const analysis = { summary: { sae: { id: 'trained/demo-abcdef' } }, shards: [[{ index: 0 }]], map }
    const { store, actions, seen } = setup((req, reply) => {
      if (req.type === 'listRuns') reply({ type: 'runList', requestId: req.requestId, runs: [done, summary({ runId: 'bbbbbb000000', name: 'bare', status: 'finished' })] })
      if (req.type === 'runAnalysis') reply({ type: 'runAnalysisReply', requestId: req.requestId, runId: req.runId, analysis: req.runId === done.runId ? (analysis as never) : null })
    })
    await actions.refresh()
    expect(store.getState().explorer.summaries['trained/demo-abcdef']).toBeUndefined()
    expect(await actions.showAnalysis(done.runId)).toBe(true)
    const e = store.getState().explorer
    expect(e.summaries['trained/demo-abcdef']?.status).toBe('ready')
    expect(e.shards['trained/demo-abcdef#0']).toEqual({ status: 'ready', data: [{ index: 0 }] })
    expect(e.saeMaps['trained/demo-abcdef']).toBe(map)
    // Already there: no second request.
    expect(await actions.showAnalysis(done.runId)).toBe(true)
    expect(seen.filter((r) => r.type === 'runAnalysis')).toHaveLength(1)

    // By the trained SAE's id, as a reloaded URL asks: the same data, found through the run list.
    store.getState().forgetAnalysis('trained/demo-abcdef')
    expect(await actions.showAnalysisOf('trained/demo-abcdef')).toBe(true)
    expect(store.getState().explorer.summaries['trained/demo-abcdef']?.status).toBe('ready')
    expect(await actions.showAnalysisOf('trained/nobody-000000')).toBe(false)
    // A run whose analysis failed says so.
    expect(await actions.showAnalysis('bbbbbb000000')).toBe(false)
    expect(store.getState().training.lastError?.message).toMatch(/no saved dashboards/)
  })

  it('restarts a run cut off before its first checkpoint, streaming it like a new one', async () => {
    const cut = summary({ status: 'interrupted', step: 0, hasCheckpoint: false })
    const { store, actions, seen } = setup((req, reply) => {
      if (req.type === 'listRuns') reply({ type: 'runList', requestId: req.requestId, runs: [cut] })
      if (req.type === 'restartRun') {
        reply({ type: 'runUpdate', requestId: req.requestId, run: summary({ status: 'preparing' }) })
        reply({ type: 'runEnded', requestId: req.requestId, run: summary({ status: 'paused', step: 25, hasCheckpoint: true }), outcome: 'paused', files: null, analysis: null, numTensors: 0 })
      }
    })
    await actions.refresh()
    await actions.restart(cut.runId)
    expect(seen.map((r) => r.type)).toEqual(['listRuns', 'restartRun'])
    const t = store.getState().training
    expect(t.runs[cut.runId]).toMatchObject({ status: 'paused', step: 25, hasCheckpoint: true })
    expect(t.activeRunId).toBeNull()
    expect(t.selectedRunId).toBe(cut.runId)
    expect(t.lastError).toBeNull()
  })

  it('puts worker errors in the training slice and needs a model first', async () => {
    const { store, actions } = setup((req, reply) => {
      if (req.type === 'listRuns') reply({ type: 'error', requestId: req.requestId, code: 'INVALID_ARGUMENT', message: 'storage is not available' })
    })
    await actions.refresh()
    expect(store.getState().training.lastError).toEqual({ code: 'INVALID_ARGUMENT', message: 'storage is not available' })
    store.getState().modelLost()
    await actions.start({ name: '', settings, fineTune: null })
    expect(store.getState().training.lastError?.message).toMatch(/Load a model first/)
    expect(store.getState().training.starting).toBe(false)
  })
})
