// What the training worker does, apart from messaging: holds its own copy of the model, runs one SAE training run
// at a time step by step (yielding between steps, so pause and cancel get in), saves checkpoints to the run
// database, and exports finished SAEs. No DOM and no postMessage here, so it runs in Node tests.
import * as tf from '@tensorflow/tfjs'
import { selectBackend, type BackendName } from '../core/backend/backend.ts'
import { CancelledError, InvalidArgumentError, serializeError } from '../core/errors.ts'
import { bosTokenFor, type HookedModel } from '../core/model/hookedModel.ts'
import { parseHookName, type HookName } from '../core/model/hookNames.ts'
import type { PassRunner } from '../core/sae/activationStore.ts'
import { loadModel as loadModelFrom } from '../core/model/load.ts'
import { checkpointFromBytes, checkpointToBytes } from '../core/sae/checkpoint.ts'
import { fetchSaeLensFolder } from '../core/sae/saelens.ts'
import { SaeTrainingDivergedError } from '../core/sae/trainer.ts'
import { Sae } from '../core/sae/sae.ts'
import { TrainingRun, type TrainingResult, type TrainingRunInit } from '../core/sae/trainingRun.ts'
import { validateTrainingSettings, type TrainingRunSettings } from '../core/sae/trainingRunSettings.ts'
import { zipFolder } from '../core/sae/saeZip.ts'
import { resolveSource } from '../core/sources/index.ts'
import type { HfTextTokenizer } from '../core/tokenizer/tokenizer.ts'
import type { BackendInfo, RequestId } from './protocol.ts'
import { pickedFilesSource } from './saeFiles.ts'
import type { SaeSourceSpec } from './saeProtocol.ts'
import { analyzeTrainedSae } from './trainingAnalysis.ts'
import type { RunDb, RunRecord } from './trainingDb.ts'
import { trainingSettingsJson } from './trainingExport.ts'
import { trainedSaeId } from './trainingProtocol.ts'
import type {
  ExportRunRequest,
  ListRunsRequest,
  LoadTrainingModelRequest,
  RestartRunRequest,
  ResumeRunRequest,
  RunAckResponse,
  RunAnalysisRequest,
  RunAnalysisResponse,
  RunControlRequest,
  RunEndedResponse,
  RunExportResponse,
  RunFilesRequest,
  RunFilesResponse,
  RunListResponse,
  StartRunRequest,
  TrainedAnalysis,
  TrainingFile,
  TrainingModelLoadedResponse,
  TrainingResponse,
  TrainingRunSummary,
} from './trainingProtocol.ts'

type Emit = (response: TrainingResponse) => void

export interface TrainingSessionOptions {
  /** The run database (IndexedDB in the worker, fake-indexeddb in tests); opened on first use. */
  openDb: () => Promise<RunDb>
  describeBackend?: (name: BackendName) => Promise<BackendInfo>
  /** Lets queued messages (pause, cancel) in between steps; the worker yields a macrotask. */
  yieldToEvents?: () => Promise<void>
  /** Loads a model from a source string (default: resolveSource + loadModel). */
  loadModel?: (source: string, hubEndpoint?: string) => Promise<{ model: HookedModel; tokenizer: HfTextTokenizer | null }>
  startBackend?: (name: BackendName) => Promise<BackendName>
  newRunId?: () => string
  /** Compute dashboards for finished SAEs (default true; tests of training alone turn it off). */
  analyse?: boolean
  /**
   * Other workers to run the activation store's model passes on (every core; the batches are the same), or null
   * to run them here (the default). Disposed when the run ends.
   */
  passRunner?: (args: PassRunnerArgs) => Promise<DisposablePassRunner | null>
}

export interface PassRunnerArgs {
  source: string
  hubEndpoint: string | undefined
  backend: BackendName
  model: HookedModel
  hook: HookName
  skipBos: boolean
}

export interface DisposablePassRunner extends PassRunner {
  dispose(): void
}

interface ActiveRun {
  runId: string
  control: 'run' | 'pause' | 'cancel'
  /** Aborted by cancel: stops reading the SAE a fine-tune starts from (a big zip inflates for seconds). */
  abort: AbortController
}

/** Progress events at most this often while preparing (buffer fill, fast-forward). */
const PREPARE_EVENT_MS = 250

function randomRunId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')
}

/** SAELens's model_name: the last part of a folder, URL or Hub repo id. */
function modelNameOf(source: string): string {
  const clean = source.replace(/^hf:/, '').replace(/@.*$/, '').replace(/\/+$/, '')
  return clean.split('/').pop() || clean
}

const datasetOf = (s: TrainingRunSettings) => (s.corpus.kind === 'world' ? `tinyworld:seed=${s.corpus.seed}` : `text:${s.corpus.name}`)

type LiveFields = Partial<Pick<TrainingRunSummary, 'tokensPerSecond' | 'etaSeconds' | 'prepare' | 'hasCheckpoint'>>

function summaryOf(record: RunRecord, live: LiveFields = {}): TrainingRunSummary {
  return { tokensPerSecond: null, etaSeconds: null, prepare: null, hasCheckpoint: false, ...record, ...live }
}

export class TrainingSession {
  /** The app's Hub mirror for 'hf:' models, from its last loadTrainingModel (resumed runs reload through it too). */
  private hubEndpoint: string | undefined = undefined
  private loaded: { source: string; backend: BackendName; requested: BackendName; model: HookedModel; tokenizer: HfTextTokenizer | null } | null = null
  private active: ActiveRun | null = null
  private db: Promise<RunDb> | null = null
  private readonly o: Required<TrainingSessionOptions>

  constructor(options: TrainingSessionOptions) {
    this.o = {
      describeBackend: async (name) => ({ name, detail: name }),
      yieldToEvents: () => new Promise((resolve) => setTimeout(resolve, 0)),
      loadModel: (source, hubEndpoint) => loadModelFrom(resolveSource(source, { hubEndpoint })),
      startBackend: (name) => selectBackend([name]),
      newRunId: randomRunId,
      analyse: true,
      passRunner: async () => null,
      ...options,
    }
  }

  async loadModel(request: LoadTrainingModelRequest): Promise<TrainingModelLoadedResponse> {
    this.hubEndpoint = request.hubEndpoint
    await this.ensureModel(request.source, request.backend)
    const backend = await this.o.describeBackend(this.loaded!.backend)
    return { type: 'trainingModelLoaded', requestId: request.requestId, source: request.source, backend }
  }

  async listRuns(request: ListRunsRequest): Promise<RunListResponse> {
    const db = await this.runDb()
    const records = await db.list()
    const runs = await Promise.all(
      records.map(async (r) => summaryOf(this.liveStatus(await this.withAnalysed(db, r)), { hasCheckpoint: await db.hasCheckpoint(r.runId) })),
    )
    return { type: 'runList', requestId: request.requestId, runs }
  }

  async start(request: StartRunRequest, emit: Emit): Promise<RunEndedResponse> {
    this.assertIdle()
    this.requireModel()
    const settings = validateTrainingSettings(structuredClone(request.settings))
    const name = request.name.trim() || `${settings.architecture}-${settings.dSae}`
    const now = Date.now()
    let record: RunRecord = {
      runId: this.o.newRunId(),
      name: name.replace(/[^\w.-]+/g, '-'),
      status: 'preparing',
      step: 0,
      totalSteps: settings.steps,
      settings,
      modelSource: this.loaded!.source,
      backend: this.loaded!.backend,
      fineTunedFrom: request.fineTune?.label ?? null,
      createdAt: now,
      updatedAt: now,
      log: [],
      ce: [],
      error: null,
      final: null,
      analysed: null,
    }
    this.assertContextFits(settings)
    const init: TrainingRunInit = {}
    // The run is active from here, before the SAE a fine-tune starts from is read: a second start is refused, and
    // the run's Cancel (the UI learns its id from the first update) aborts the read.
    const active = this.activate(record.runId)
    try {
      if (request.fineTune) {
        emit({ type: 'runUpdate', requestId: request.requestId, run: summaryOf(record) })
        const { signal } = active.abort
        const folder = await fetchSaeLensFolder(await this.sourceOf(request.fineTune.spec, signal), { sparsity: false, signal })
        const { config } = folder
        // The run trains the SAE it starts from: its architecture, size and hook, not the form's.
        record = { ...record, settings: { ...settings, architecture: config.architecture, dSae: config.dSae, hook: config.metadata.hookName ?? settings.hook, k: config.k ?? settings.k } }
        init.fineTune = { config, arrays: folder.arrays }
      }
    } catch (err) {
      // Nothing was saved yet; a cancelled read ends as any cancelled run does.
      this.release(active)
      if (err instanceof CancelledError && active.control === 'cancel') return this.cancelledBeforeSaving(record, request.requestId)
      throw err
    }
    if (active.control === 'cancel') {
      this.release(active)
      return this.cancelledBeforeSaving(record, request.requestId)
    }
    return this.drive(record, request.requestId, emit, init, active)
  }

  async resume(request: ResumeRunRequest, emit: Emit): Promise<RunEndedResponse> {
    this.assertIdle()
    const db = await this.runDb()
    const record = await db.get(request.runId)
    if (!record) throw new InvalidArgumentError(`No training run "${request.runId}" is saved in this browser`)
    if (record.status === 'finished') throw new InvalidArgumentError(`Run ${record.name} has finished: there is nothing to resume`)
    const bytes = await db.checkpoint(record.runId)
    if (!bytes) throw new InvalidArgumentError(`Run ${record.name} has no saved checkpoint: restart it`)
    // The run's own model and backend: a checkpoint continues bit for bit only where it was made.
    await this.ensureModel(record.modelSource, record.backend)
    const checkpoint = checkpointFromBytes(bytes)
    const resumed: RunRecord = { ...record, step: checkpoint.state.step, error: null }
    const init: TrainingRunInit = { resume: { checkpoint, progress: { log: record.log.filter((e) => e.step <= checkpoint.state.step), ce: record.ce.filter((c) => c.step <= checkpoint.state.step) } } }
    return this.drive(resumed, request.requestId, emit, init, this.activate(resumed.runId))
  }

  /**
   * Trains an unfinished run again from step 0 (its settings, model and backend; same id and name): what a run
   * interrupted before its first checkpoint can do. Not a fine-tune: the SAE it started from is not saved.
   */
  async restart(request: RestartRunRequest, emit: Emit): Promise<RunEndedResponse> {
    this.assertIdle()
    const db = await this.runDb()
    const record = await db.get(request.runId)
    if (!record) throw new InvalidArgumentError(`No training run "${request.runId}" is saved in this browser`)
    if (record.status === 'finished') throw new InvalidArgumentError(`Run ${record.name} has finished: start a new run to train again`)
    if (record.fineTunedFrom) throw new InvalidArgumentError(`Run ${record.name} fine-tunes ${record.fineTunedFrom}, which is not saved with the run: start the fine-tune again from the form`)
    await this.ensureModel(record.modelSource, record.backend)
    const settings = validateTrainingSettings(structuredClone(record.settings))
    this.assertContextFits(settings)
    const fresh: RunRecord = { ...record, settings, status: 'preparing', step: 0, log: [], ce: [], error: null, final: null, analysed: null, updatedAt: Date.now() }
    await db.reset(fresh)
    return this.drive(fresh, request.requestId, emit, {}, this.activate(fresh.runId))
  }

  /** Pausing the active run ends its request with outcome 'paused'; an interrupted run is marked paused. */
  async control(request: RunControlRequest): Promise<RunAckResponse> {
    const ack: RunAckResponse = { type: 'runAck', requestId: request.requestId, runId: request.runId }
    if (this.active?.runId === request.runId) {
      if (request.type === 'deleteRun') throw new InvalidArgumentError('This run is training: cancel it to delete it')
      this.active.control = request.type === 'pauseRun' ? 'pause' : 'cancel'
      if (request.type === 'cancelRun') this.active.abort.abort()
      return ack
    }
    const db = await this.runDb()
    if (request.type === 'pauseRun') {
      const record = await db.get(request.runId)
      if (record && (record.status === 'running' || record.status === 'preparing' || record.status === 'interrupted')) await db.put({ ...record, status: 'paused' })
    } else await db.delete(request.runId)
    return ack
  }

  async exportRun(request: ExportRunRequest): Promise<RunExportResponse> {
    const db = await this.runDb()
    const record = await db.get(request.runId)
    const result = await db.result(request.runId)
    if (!record || !result) throw new InvalidArgumentError(`Run "${request.runId}" has no finished SAE to export`)
    const entries: Record<string, Uint8Array | string> = Object.fromEntries(result.files.map((f) => [f.name, f.data]))
    entries['training_settings.json'] = `${JSON.stringify(trainingSettingsJson(record), null, 2)}\n`
    return { type: 'runExport', requestId: request.requestId, runId: record.runId, fileName: `${record.name}.zip`, zip: zipFolder(record.name, entries) }
  }

  async runFiles(request: RunFilesRequest): Promise<RunFilesResponse> {
    const result = await (await this.runDb()).result(request.runId)
    if (!result) throw new InvalidArgumentError(`Run "${request.runId}" has no finished SAE`)
    return { type: 'runFilesReply', requestId: request.requestId, runId: request.runId, files: result.files, analysis: result.analysis }
  }

  async runAnalysis(request: RunAnalysisRequest): Promise<RunAnalysisResponse> {
    const result = await (await this.runDb()).result(request.runId)
    if (!result) throw new InvalidArgumentError(`Run "${request.runId}" has no finished SAE`)
    return { type: 'runAnalysisReply', requestId: request.requestId, runId: request.runId, analysis: result.analysis }
  }

  dispose(): void {
    if (this.active) {
      this.active.control = 'cancel'
      this.active.abort.abort()
    }
    this.loaded?.model.dispose()
    this.loaded = null
  }

  /** Marks a run as the one training (assertIdle refuses a second); `release` ends it. */
  private activate(runId: string): ActiveRun {
    this.assertIdle()
    const active: ActiveRun = { runId, control: 'run', abort: new AbortController() }
    this.active = active
    return active
  }

  private release(active: ActiveRun): void {
    if (this.active === active) this.active = null
  }

  private cancelledBeforeSaving(record: RunRecord, requestId: RequestId): RunEndedResponse {
    return { type: 'runEnded', requestId, run: summaryOf({ ...record, updatedAt: Date.now() }), outcome: 'cancelled', files: null, analysis: null, numTensors: tf.memory().numTensors }
  }

  /** Trains the run `active` holds to its end (finished, paused, cancelled or failed), then releases it. */
  private async drive(start: RunRecord, requestId: RequestId, emit: Emit, init: TrainingRunInit, active: ActiveRun): Promise<RunEndedResponse> {
    let db: RunDb
    try {
      db = await this.runDb()
    } catch (err) {
      this.release(active)
      throw err
    }
    const { model, tokenizer } = this.requireModel()
    let record: RunRecord = { ...start, status: 'preparing', updatedAt: Date.now() }
    // A resumed run's checkpoint is in storage already; a new or restarted one has none until its first save.
    let hasCheckpoint = init.resume !== undefined
    const send = (live: LiveFields = {}) => emit({ type: 'runUpdate', requestId, run: summaryOf(record, { ...live, hasCheckpoint }) })
    let run: TrainingRun | null = null
    let runner: DisposablePassRunner | null = null
    const save = async (status: RunRecord['status']) => {
      record = { ...record, status, step: run!.step, log: [...run!.log], ce: [...run!.ce], updatedAt: Date.now() }
      await db.put(record, checkpointToBytes(await run!.checkpoint()))
      hasCheckpoint = true
    }
    try {
      await db.put(record) // listed at once, even before the first checkpoint
      send()
      await this.o.yieldToEvents()
      let lastPrepare = 0
      const { source, backend } = this.loaded!
      const hook = parseHookName(record.settings.hook, model.config.nLayers)
      runner = await this.o.passRunner({ source, hubEndpoint: this.hubEndpoint, backend, model, hook, skipBos: bosTokenFor(model) !== null })
      run = await TrainingRun.create(model, tokenizer, record.settings, {
        ...init,
        ...(runner ? { runner } : {}),
        onPrepare: (prepare) => {
          if (performance.now() - lastPrepare < PREPARE_EVENT_MS) return
          lastPrepare = performance.now()
          send({ prepare })
        },
      })
      // Step 0 is saved too: an interrupted fine-tune must restart from the SAE it began with.
      if (!init.resume) await save('running')
      record = { ...record, status: 'running' }
      const { logEvery, checkpointEvery, batchSize } = record.settings
      const started = performance.now()
      const startStep = run.step
      const live = () => {
        const seconds = (performance.now() - started) / 1000
        const tokensPerSecond = run!.step > startStep && seconds > 0 ? ((run!.step - startStep) * batchSize) / seconds : null
        const etaSeconds = tokensPerSecond ? ((run!.totalSteps - run!.step) * batchSize) / tokensPerSecond : null
        return { tokensPerSecond, etaSeconds }
      }
      send()
      while (!run.done && active.control === 'run') {
        await run.trainStep()
        const step = run.step
        record = { ...record, step, log: run.log, ce: run.ce }
        if (step % checkpointEvery === 0 && !run.done) await save('running')
        if (step % logEvery === 0 || run.done) send(live())
        await this.o.yieldToEvents()
      }
      // The sitting's speed is the training loop's: the final CE, density pass and dashboards are not training.
      const trained = live()
      const ended = (outcome: RunEndedResponse['outcome'], files: TrainingFile[] | null, analysis: TrainedAnalysis | null = null): RunEndedResponse => ({
        type: 'runEnded',
        requestId,
        run: summaryOf(record, { ...trained, etaSeconds: null, hasCheckpoint }),
        outcome,
        files,
        analysis,
        numTensors: tf.memory().numTensors,
      })
      if (active.control === 'cancel') {
        await db.delete(record.runId)
        return ended('cancelled', null)
      }
      if (active.control === 'pause') {
        await save('paused')
        return ended('paused', null)
      }
      const result = await run.finish({ modelName: modelNameOf(record.modelSource), datasetPath: datasetOf(record.settings) })
      const files: TrainingFile[] = Object.entries(result.files).map(([name, data]) => ({ name, data: typeof data === 'string' ? new TextEncoder().encode(data) : data }))
      record = { ...record, step: run.step, log: [...run.log], ce: [...run.ce], final: result.final }
      const analysis = this.o.analyse ? await this.analyse(record, result, run, send) : null
      record = { ...record, status: 'finished', analysed: analysis ? { map: analysis.map != null } : null, updatedAt: Date.now() }
      await db.finish(record, { files, analysis })
      hasCheckpoint = false // the SAE is the result now
      return ended('finished', files, analysis)
    } catch (err) {
      const error = serializeError(err)
      record = { ...record, status: 'failed', error: { code: error.code, message: error.message }, updatedAt: Date.now() }
      // A diverged run keeps its last good state: lowering the learning rate is not possible mid-run, but the log is.
      const good = err instanceof SaeTrainingDivergedError ? err.checkpoint : null
      await db.put(record, good ? checkpointToBytes(good) : undefined).then(
        () => (hasCheckpoint ||= good !== null),
        () => undefined,
      )
      send()
      throw err
    } finally {
      run?.dispose()
      runner?.dispose()
      this.release(active)
    }
  }

  /** Dashboards for the finished SAE; a failure costs the dashboards only, never the SAE. */
  private async analyse(record: RunRecord, result: TrainingResult, run: TrainingRun, send: (live?: LiveFields) => void): Promise<TrainedAnalysis | null> {
    const { model, tokenizer } = this.requireModel()
    const sae = Sae.fromArrays(result.config, result.arrays)
    let last = 0
    try {
      return await analyzeTrainedSae({
        model,
        tokenizer,
        sae,
        saeId: trainedSaeId(record),
        hook: run.hook,
        settings: record.settings,
        bosTokenId: run.bosTokenId,
        modelId: record.modelSource,
        onProgress: (f) => {
          if (performance.now() - last < PREPARE_EVENT_MS) return
          last = performance.now()
          send({ prepare: { phase: 'analyse', done: Math.round(100 * f), total: 100 } })
        },
      })
    } catch (err) {
      console.warn('[monoscope training] the analysis of the finished SAE failed', err)
      return null
    } finally {
      sae.dispose()
    }
  }

  /** Records finished before `analysed` existed learn it once from their result (then it is saved). */
  private async withAnalysed(db: RunDb, record: RunRecord): Promise<RunRecord> {
    if ((record as Partial<RunRecord>).analysed !== undefined) return record
    const result = record.status === 'finished' ? await db.result(record.runId) : null
    const analysed = result?.analysis ? { map: result.analysis.map != null } : null
    const updated = { ...record, analysed }
    if (record.status === 'finished') await db.put(updated)
    return updated
  }

  private assertContextFits(settings: TrainingRunSettings): void {
    const { model } = this.requireModel()
    if (model.config.nCtx < settings.contextSize) throw new InvalidArgumentError(`The context size ${settings.contextSize} is longer than the model's ${model.config.nCtx}`)
  }

  private liveStatus(record: RunRecord): RunRecord {
    const running = record.status === 'running' || record.status === 'preparing'
    return running && this.active?.runId !== record.runId ? { ...record, status: 'interrupted' } : record
  }

  private async ensureModel(source: string, backend: BackendName): Promise<void> {
    if (this.loaded?.source === source && (this.loaded.backend === backend || this.loaded.requested === backend)) return
    if (this.active) throw new InvalidArgumentError('A run is training: pause it before changing the model')
    // The whole training path reads tensors back asynchronously (trainingRunReads.test.ts), so it trains on WebGPU
    // too: tfjs-webgpu's synchronous readback goes through a canvas that reads zeros on some adapters in a worker.
    const started = await this.o.startBackend(backend)
    const { model, tokenizer } = await this.o.loadModel(source, this.hubEndpoint)
    this.loaded?.model.dispose()
    this.loaded = { source, backend: started, requested: backend, model, tokenizer }
  }

  private requireModel(): NonNullable<TrainingSession['loaded']> {
    if (!this.loaded) throw new InvalidArgumentError('The training worker has no model yet: load a model first')
    return this.loaded
  }

  private assertIdle(): void {
    if (this.active) throw new InvalidArgumentError('A run is already training: pause or cancel it first')
  }

  private runDb(): Promise<RunDb> {
    this.db ??= this.o.openDb().catch((err: unknown) => {
      this.db = null
      throw new InvalidArgumentError(`This browser's storage (IndexedDB) is not available, so runs cannot be saved: ${err instanceof Error ? err.message : String(err)}`)
    })
    return this.db
  }

  private async sourceOf(spec: SaeSourceSpec, signal: AbortSignal) {
    if (spec.kind === 'files') return pickedFilesSource(spec.files, signal)
    const root = resolveSource(spec.source, { hubEndpoint: spec.hubEndpoint })
    return spec.subfolder ? root.subfolder(spec.subfolder) : root
  }
}
