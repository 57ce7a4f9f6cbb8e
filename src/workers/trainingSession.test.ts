// TrainingSession in Node over fake-indexeddb: a run paused (or cut off by a "reload") and resumed in a new session
// continues bit-identically to an uninterrupted run; runs are listed after a reload; cancel deletes; the exported
// zip reads back to the same SAE; no tensors leak; a backend error mid-run frees its tensors and the next run
// trains to the fault-free weights.
import * as tf from '@tensorflow/tfjs'
import { IDBFactory } from 'fake-indexeddb'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../core/backend/backend.ts'
import { saeLensFiles } from '../core/sae/saelens.ts'
import { zipFolder } from '../core/sae/saeZip.ts'
import { randomArray } from '../core/sae/testing/random.ts'
import { defaultSaeConfig } from '../core/sae/types.ts'
import { tfjsModelFromTensors } from '../core/model/tfjsEngine.ts'
import { readSaeLensFolder } from '../core/sae/saelens.ts'
import type { TrainingRunSettings } from '../core/sae/trainingRunSettings.ts'
import { makeTinyGpt2 } from '../core/testing/tinyModel.ts'
import { worldVocab } from '../core/world/tokenizerJson.ts'
import type { RequestId } from './protocol.ts'
import { unzipFiles } from '../core/sae/saeZip.ts'
import { openRunDb, type RunRecord } from './trainingDb.ts'
import type { RunEndedResponse, TrainingFile, TrainingResponse, TrainingRunSummary } from './trainingProtocol.ts'
import { TrainingSession, type PassRunnerArgs, type TrainingSessionOptions } from './trainingSession.ts'
import { outOfOrderRunner, type CountingRunner } from '../core/sae/testing/outOfOrderRunner.ts'
import { smallTrainingSettings } from '../core/sae/testing/trainingSettings.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const SOURCE = 'memory:tiny-world-model'
const settings = (over: Partial<TrainingRunSettings> = {}): TrainingRunSettings => smallTrainingSettings({ steps: 14, ...over })

let nextId = 1
const rid = () => nextId++ as RequestId
let runIds = 0

function session(factory: IDBFactory, over: Partial<TrainingSessionOptions> = {}): TrainingSession {
  return new TrainingSession({
    openDb: () => openRunDb(factory),
    startBackend: async (name) => {
      await selectBackend([name])
      return name
    },
    // A random model over TinyWorld's vocabulary: the world corpus needs only the ids to match.
    loadModel: async () => {
      const t = makeTinyGpt2({ seed: 5, nLayers: 2, dModel: 16, nHeads: 2, vocab: worldVocab().length, nCtx: 16 })
      return { model: tfjsModelFromTensors(t.config, t.tensors), tokenizer: null }
    },
    newRunId: () => `run${++runIds}`.padEnd(8, '0'),
    ...over,
  })
}

async function loaded(factory: IDBFactory, over: Partial<TrainingSessionOptions> = {}): Promise<TrainingSession> {
  const s = session(factory, over)
  await s.loadModel({ type: 'loadTrainingModel', requestId: rid(), source: SOURCE, backend: 'wasm' })
  return s
}

const weightsOf = (files: TrainingFile[] | null) => files!.find((f) => f.name === 'sae_weights.safetensors')!.data

describe('TrainingSession', () => {
  for (const architecture of ['topk', 'standard'] as const) {
    it(`${architecture}: pause, "reload", resume gives bit-identical weights and log, with no leaked tensors`, async () => {
      const s0 = await loaded(new IDBFactory())
      const straight = await s0.start({ type: 'startRun', requestId: rid(), name: 'a', settings: settings({ architecture }), fineTune: null }, () => {})
      expect(straight.outcome).toBe('finished')
      // The first run warms the model's caches (masks per length); a second must neither leak nor differ.
      const before = tf.memory().numTensors
      const again = await s0.start({ type: 'startRun', requestId: rid(), name: 'a2', settings: settings({ architecture }), fineTune: null }, () => {})
      expect(tf.memory().numTensors).toBe(before)
      expect(weightsOf(again.files)).toEqual(weightsOf(straight.files))
      s0.dispose()

      const factory = new IDBFactory()
      const s1 = await loaded(factory)
      let paused = false
      const first = await s1.start({ type: 'startRun', requestId: rid(), name: 'b', settings: settings({ architecture }), fineTune: null }, (event: TrainingResponse) => {
        if (event.type === 'runUpdate' && event.run.step >= 5 && !paused) {
          paused = true
          void s1.control({ type: 'pauseRun', requestId: rid(), runId: event.run.runId })
        }
      })
      expect(first.outcome).toBe('paused')
      expect(first.run.step).toBeGreaterThanOrEqual(5)
      expect(first.run.step).toBeLessThan(14)
      s1.dispose()

      // A crash: the record still says running. A new session (the reloaded tab) lists it as interrupted.
      const db = await openRunDb(factory)
      const saved = (await db.get(first.run.runId))!
      await db.put({ ...saved, status: 'running' })
      const s2 = await loaded(factory)
      const list = await s2.listRuns({ type: 'listRuns', requestId: rid() })
      expect(list.runs.map((r) => [r.runId, r.status, r.step, r.hasCheckpoint])).toEqual([[first.run.runId, 'interrupted', first.run.step, true]])

      const resumedSteps: number[] = []
      const resumed: RunEndedResponse = await s2.resume({ type: 'resumeRun', requestId: rid(), runId: first.run.runId }, (event) => {
        if (event.type === 'runUpdate' && event.run.status === 'running') resumedSteps.push(event.run.step)
      })
      expect(resumed.outcome).toBe('finished')
      // It continued from the checkpoint: no step before it was trained again.
      expect(resumedSteps[0]).toBe(first.run.step)
      expect(resumed.run.step).toBe(14)
      expect(weightsOf(resumed.files)).toEqual(weightsOf(straight.files))
      expect(resumed.run.log).toEqual(straight.run.log)
      expect(resumed.run.ce.map((c) => c.spliced)).toEqual(straight.run.ce.map((c) => c.spliced))
      expect((await s2.listRuns({ type: 'listRuns', requestId: rid() })).runs[0]!.status).toBe('finished')
      // Dashboards for every latent of the new SAE, under the id it gets in the model worker.
      const analysis = (await s2.runFiles({ type: 'runFiles', requestId: rid(), runId: first.run.runId })).analysis!
      expect(analysis.summary.sae.id).toBe(`trained/b-${first.run.runId.slice(0, 6)}`)
      expect(analysis.shards.flat().map((f) => f.index)).toEqual(Array.from({ length: 32 }, (_, i) => i))

      // The exported zip reads back to exactly these weights, with the training settings beside them.
      const exported = await s2.exportRun({ type: 'exportRun', requestId: rid(), runId: first.run.runId })
      const files = await unzipFiles(exported.zip, exported.fileName)
      const byName = (n: string) => files.find((f) => f.name.endsWith(`/${n}`))!.data as Uint8Array
      expect(byName('sae_weights.safetensors')).toEqual(weightsOf(straight.files))
      const settingsJson = JSON.parse(new TextDecoder().decode(byName('training_settings.json'))) as { settings: TrainingRunSettings }
      expect(settingsJson.settings.architecture).toBe(architecture)
      const folder = readSaeLensFolder({ cfg: new TextDecoder().decode(byName('cfg.json')), weights: byName('sae_weights.safetensors'), sparsity: byName('sparsity.safetensors') })
      expect(folder.config.metadata.hookName).toBe('blocks.1.hook_resid_post')
      s2.dispose()
    })
  }

  it('with a pass runner (harvest workers) trains to the same weights, hands it what it needs, and disposes it', async () => {
    const plain = await loaded(new IDBFactory())
    const straight = await plain.start({ type: 'startRun', requestId: rid(), name: 'plain', settings: settings(), fineTune: null }, () => {})
    plain.dispose()
    const seen: PassRunnerArgs[] = []
    let runner: CountingRunner | null = null
    let disposed = 0
    const withRunner = await loaded(new IDBFactory(), {
      passRunner: async (args) => {
        seen.push(args)
        runner = outOfOrderRunner(args.model, args.hook, { size: 2, skipFirst: args.skipBos, stepMs: 2 })
        return Object.assign(runner, { dispose: () => void disposed++ })
      },
    })
    const ended = await withRunner.start({ type: 'startRun', requestId: rid(), name: 'threads', settings: settings(), fineTune: null }, () => {})
    expect(ended.outcome).toBe('finished')
    expect(runner!.calls, 'the store ran its passes on the runner').toBeGreaterThan(0)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ source: SOURCE, backend: 'wasm', hook: settings().hook }) // skipBos: as the store's (the weights below agree only if so)
    expect(disposed).toBe(1)
    expect(weightsOf(ended.files)).toEqual(weightsOf(straight.files))
    withRunner.dispose()
  })

  it('a run cut off before its first checkpoint is listed as such and restarts to the weights of a straight run', async () => {
    const s0 = await loaded(new IDBFactory())
    const straight = await s0.start({ type: 'startRun', requestId: rid(), name: 'straight', settings: settings(), fineTune: null }, () => {})
    s0.dispose()

    // The tab closes while the buffer fills: the record is saved (listed at once), no checkpoint yet. A session
    // whose first yield never returns stops exactly there.
    const factory = new IDBFactory()
    const s1 = await loaded(factory, { yieldToEvents: () => new Promise(() => {}) })
    const saved = new Promise<string>((resolve) => void s1.start({ type: 'startRun', requestId: rid(), name: 'cut', settings: settings(), fineTune: null }, (e) => e.type === 'runUpdate' && resolve(e.run.runId)))
    const runId = await saved
    s1.dispose()

    const s2 = await loaded(factory)
    const listed = (await s2.listRuns({ type: 'listRuns', requestId: rid() })).runs
    expect(listed.map((r) => [r.runId, r.status, r.step, r.hasCheckpoint])).toEqual([[runId, 'interrupted', 0, false]])
    await expect(s2.resume({ type: 'resumeRun', requestId: rid(), runId }, () => {})).rejects.toThrow(/no saved checkpoint/)

    const updates: TrainingRunSummary[] = []
    const restarted = await s2.restart({ type: 'restartRun', requestId: rid(), runId }, (e) => e.type === 'runUpdate' && updates.push(e.run))
    expect(restarted.outcome).toBe('finished')
    expect(restarted.run.runId).toBe(runId)
    expect(updates[0]).toMatchObject({ runId, status: 'preparing', step: 0, hasCheckpoint: false })
    expect(updates.some((u) => u.status === 'running' && u.hasCheckpoint)).toBe(true) // step 0 is saved once the buffer is full
    expect(weightsOf(restarted.files)).toEqual(weightsOf(straight.files))
    expect(restarted.run.log).toEqual(straight.run.log)

    // Finished: no checkpoint (the SAE is the result), and the listing says what its saved analysis holds.
    const [done] = (await s2.listRuns({ type: 'listRuns', requestId: rid() })).runs
    expect(done).toMatchObject({ status: 'finished', hasCheckpoint: false, analysed: { map: restarted.analysis!.map != null } })
    const analysis = (await s2.runAnalysis({ type: 'runAnalysis', requestId: rid(), runId })).analysis!
    expect(analysis.summary.sae.id).toBe(`trained/cut-${runId.slice(0, 6)}`)
    expect(analysis.shards.flat()).toHaveLength(32)
    // A record saved before `analysed` existed learns it from its stored result.
    const db = await openRunDb(factory)
    const { analysed: _analysed, ...old } = (await db.get(runId))!
    await db.put(old as RunRecord)
    expect((await s2.listRuns({ type: 'listRuns', requestId: rid() })).runs[0]!.analysed).toEqual(done!.analysed)
    await expect(s2.restart({ type: 'restartRun', requestId: rid(), runId }, () => {})).rejects.toThrow(/has finished/)
    s2.dispose()
  })

  it('cancel deletes the run; a second start while one trains is refused', async () => {
    const factory = new IDBFactory()
    const s = await loaded(factory)
    let second: Promise<unknown> | null = null
    const ended = await s.start({ type: 'startRun', requestId: rid(), name: 'c', settings: settings(), fineTune: null }, (event) => {
      if (event.type === 'runUpdate' && event.run.step >= 2 && !second) {
        second = s.start({ type: 'startRun', requestId: rid(), name: 'd', settings: settings(), fineTune: null }, () => {}).then(
          () => 'started',
          (err: unknown) => err,
        )
        void s.control({ type: 'cancelRun', requestId: rid(), runId: event.run.runId })
      }
    })
    expect(ended.outcome).toBe('cancelled')
    expect(String(await second)).toMatch(/already training/)
    expect((await s.listRuns({ type: 'listRuns', requestId: rid() })).runs).toEqual([])
    s.dispose()
  })

  it('cancel stops reading the zip a fine-tune starts from, mid-inflate, and saves and leaks nothing', async () => {
    // 8 MB of float noise: hundreds of inflate steps. A byte flipped near the end of the weights makes a read that
    // runs to its end fail (a ZIP error), so "cancelled" shows the read stopped before its end.
    const dSae = 1 << 16
    const config = { ...defaultSaeConfig('standard', 16, dSae), metadata: { ...defaultSaeConfig('standard', 16, dSae).metadata, hookName: 'blocks.1.hook_resid_post' } }
    const files = saeLensFiles(config, { wEnc: randomArray(16 * dSae, 1), wDec: randomArray(16 * dSae, 2), bEnc: randomArray(dSae, 3), bDec: randomArray(16, 4), threshold: null })
    const zip = zipFolder('big', files)
    zip[zip.length - 200]! ^= 0x01 // inside the weights' deflate stream, before the central directory
    const s = await loaded(new IDBFactory())
    const before = tf.memory().numTensors
    const updates: string[] = []
    let cancelledAt = 0
    const start = performance.now()
    const ended = await s.start({ type: 'startRun', requestId: rid(), name: 'ft', settings: settings(), fineTune: { spec: { kind: 'files', files: [{ name: 'big.zip', data: zip }] }, label: 'big' } }, (event) => {
      if (event.type !== 'runUpdate') return
      updates.push(event.run.status)
      // The first update comes before the read, so the UI can show Cancel; cancel once inflating is under way.
      if (updates.length === 1)
        setTimeout(() => {
          cancelledAt = performance.now()
          void s.control({ type: 'cancelRun', requestId: rid(), runId: event.run.runId })
        }, 20)
    }).then(
      (r) => r.outcome,
      (err: unknown) => String(err),
    )
    expect(ended).toBe('cancelled')
    expect(updates).toEqual(['preparing'])
    expect(cancelledAt).toBeGreaterThan(start)
    expect(performance.now() - cancelledAt, 'a cancel lands within a few inflate steps').toBeLessThan(1_000)
    expect(tf.memory().numTensors).toBe(before)
    expect((await s.listRuns({ type: 'listRuns', requestId: rid() })).runs).toEqual([])
    // Released: the next run starts (a read left running would refuse it as "already training").
    expect((await s.start({ type: 'startRun', requestId: rid(), name: 'next', settings: settings({ steps: 2 }), fineTune: null }, () => {})).outcome).toBe('finished')
    s.dispose()
  })

  it('rejects bad settings with a clear error before saving anything', async () => {
    const factory = new IDBFactory()
    const s = await loaded(factory)
    await expect(s.start({ type: 'startRun', requestId: rid(), name: 'e', settings: settings({ k: 0, steps: 0 }), fineTune: null }, () => {})).rejects.toThrow(
      /steps must be a positive integer.*k must be an integer between 1 and d_sae/,
    )
    expect((await s.listRuns({ type: 'listRuns', requestId: rid() })).runs).toEqual([])
    s.dispose()
  })

  it('a backend error at any point of a run frees its tensors, and the next run trains to the fault-free weights', async () => {
    const s = await loaded(new IDBFactory())
    let reads = 0 // backend reads since the counter was last reset (declared before `start`, whose updates read it)
    let failAt = 0
    let analysisFrom = Infinity // the read at which the dashboards' analysis began, in the clean run
    const start = (name: string) =>
      s.start({ type: 'startRun', requestId: rid(), name, settings: settings(), fineTune: null }, (event) => {
        if (event.type === 'runUpdate' && event.run.prepare?.phase === 'analyse') analysisFrom = Math.min(analysisFrom, reads)
      })
    await start('warm') // caches the model keeps (masks per length)
    const backend = tf.engine().backend as unknown as { read: (dataId: object) => Promise<unknown> }
    const read = backend.read.bind(backend)
    backend.read = (dataId) => (++reads === failAt ? Promise.reject(new Error(`injected backend fault on read ${reads}`)) : read(dataId))
    try {
      const before = tf.memory().numTensors
      analysisFrom = Infinity
      const clean = await start('clean')
      const total = reads
      const trainingReads = analysisFrom
      expect(trainingReads).toBeLessThan(total)
      expect(total).toBeGreaterThan(10)
      // Faults spread over the run: reads before, inside and after steps, logs, checkpoints and the dashboards.
      // (Three positions once hid a leak when a read in trainStep failed; a change elsewhere moved a fault onto it.)
      for (const k of [1, 2, ...[1, 2, 3, 4, 5, 6, 7, 8].map((i) => Math.floor((i * total) / 9)), total]) {
        reads = 0
        failAt = k
        const faulty = await start(`fault-${k}`).then((r) => r.outcome, (err: unknown) => String(err))
        // Reads after training belong to the dashboards computed once it has finished: the run is finished by then.
        expect(faulty, `a fault on read ${k} of ${total}`).toMatch(k > trainingReads ? /^finished$/ : /failed|injected backend fault/)
        expect(tf.memory().numTensors, `tensors after a fault on read ${k} of ${total}`).toBe(before)
        failAt = 0
        const next = await start(`after-${k}`)
        expect(next.outcome).toBe('finished')
        expect(weightsOf(next.files)).toEqual(weightsOf(clean.files))
      }
    } finally {
      delete (backend as Partial<typeof backend>).read
      s.dispose()
    }
  })
})
