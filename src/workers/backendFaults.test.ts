// A backend error in the middle of any worker request (a lost GPU device, a buffer that cannot be mapped) must free
// what the request held and leave the next request on the same backend working. The fault is provoked at the backend
// boundary: the active tfjs backend's k-th `read` (what every asynchronous tensor read goes through) rejects, for
// every k up to the request's last read, in generation, inspection, side-by-side steering and SAE analysis.
import * as tf from '@tensorflow/tfjs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AnalysisSession } from './analysisSession.ts'
import { ModelSession } from './modelSession.ts'
import type { WorkerResponse } from './protocol.ts'
import { SaeSession } from './saeSession.ts'
import { SteeringSession } from './steeringSession.ts'
import { fixtureShare, requestId as rid, writeSessionFixture } from './testing/sessionFixture.ts'

let dir: string
const models = new ModelSession()
const saes = new SaeSession(models)
const steering = new SteeringSession(models, saes)
const analysis = new AnalysisSession(models, saes)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monoscope-backend-faults-'))
  await writeSessionFixture(dir)
  await models.load({ type: 'loadModel', requestId: rid(), source: dir, backend: 'wasm' }, () => {})
  await saes.load({ type: 'loadSae', requestId: rid(), id: 'user', spec: { kind: 'source', source: dir, subfolder: 'sae' } }, () => {})
})

afterAll(async () => {
  models.dispose()
  await rm(dir, { recursive: true, force: true })
})

type Backend = { read: (dataId: object) => Promise<unknown> }

/** Counts the backend's reads while `run` runs; with `failAt`, that read (1-based) rejects instead. */
async function withReads<T>(run: () => Promise<T>, failAt?: number): Promise<{ reads: number; result: Promise<T> }> {
  const backend = tf.engine().backend as unknown as Backend
  const read = backend.read.bind(backend)
  let reads = 0
  backend.read = (dataId) => {
    reads++
    if (reads === failAt) return Promise.reject(new Error(`injected backend fault on read ${reads}`))
    return read(dataId)
  }
  const result = run()
  try {
    await result
  } catch {
    // inspected by the caller
  } finally {
    delete (backend as Partial<Backend>).read // the prototype's read again
  }
  return { reads, result }
}

const sampling = { temperature: 0, topK: 0, topP: 1 }
const requests: Record<string, () => Promise<unknown>> = {
  generate: async () => {
    const events: WorkerResponse[] = []
    await models.generate({ type: 'generate', requestId: rid(), prompt: { kind: 'text', text: 'the cat' }, sampling, seed: 0, maxTokens: 3, stopAtEos: false }, (e) => void events.push(e))
    return events.filter((e) => e.type === 'token').map((e) => (e as { id: number }).id)
  },
  inspect: async () => {
    const { requestId: _, ...reply } = await saes.encodePrompt({ type: 'encodePrompt', requestId: rid(), saeId: 'user', prompt: { kind: 'text', text: 'the cat sat' }, topK: 3, position: 1 })
    return reply
  },
  'steer (clamp and add, side by side)': async () => {
    const events: WorkerResponse[] = []
    const state = fixtureShare(dir, [
      { index: 1, mode: 'clamp', strength: { kind: 'absolute', value: 6 } },
      { index: 2, mode: 'add', strength: { kind: 'absolute', value: 20 } },
    ])
    await steering.steer({ type: 'steer', requestId: rid(), saeId: 'user', state }, (e) => void events.push(e))
    return events.filter((e) => e.type === 'steerToken').map((e) => `${(e as { side: string }).side}:${(e as { id: number }).id}`)
  },
  analyse: async () => {
    const corpus = { kind: 'text' as const, name: 'pets.txt', text: 'the cat sat on the mat .\nthe dog ran .' }
    const reply = await analysis.analyse({ type: 'analyseSae', requestId: rid(), saeId: 'user', corpus, tokens: 256, neighbourSaeIds: [], map: false }, () => {})
    return { tokens: reply.tokens }
  },
}

describe('a backend error in any worker request', () => {
  for (const [name, request] of Object.entries(requests)) {
    it(`${name}: fails with the backend's error at every read, frees its tensors, and the next request gives the fault-free result`, async () => {
      await request() // a first run may create what the session keeps (cached constants)
      const baseline = tf.memory().numTensors
      const clean = await withReads(request)
      const expected = await clean.result
      expect(clean.reads).toBeGreaterThan(0) // the request reads tensors, so the faults below happen mid-request
      expect(tf.memory().numTensors).toBe(baseline)
      // Every read up to 12 and the last one: the first read, the middle of the run, and its end.
      const points = [...new Set([...Array.from({ length: Math.min(clean.reads, 12) }, (_, i) => i + 1), clean.reads])]
      for (const k of points) {
        const faulty = await withReads(request, k)
        await expect(faulty.result, `read ${k} of ${clean.reads}`).rejects.toThrow(`injected backend fault on read ${k}`)
        expect(tf.memory().numTensors, `tensors after a fault on read ${k} of ${clean.reads}`).toBe(baseline)
        expect(await request(), `the request after a fault on read ${k}`).toEqual(expected)
      }
    })
  }
})
