// Every worker session reads tensors only asynchronously: tfjs-webgpu's synchronous reads return zeros inside a worker
// on the software adapter and can poison the device (DESIGN). A spy fails on any dataSync/arraySync/bufferSync while
// a model loads and generates, an SAE loads and inspects a prompt, steering runs, and an analysis builds its pages
// and map; then a request that fails (a feature with an all-zero decoder direction) must leave the next one working.
import * as tf from '@tensorflow/tfjs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { AnalysisSession } from './analysisSession.ts'
import { ModelSession } from './modelSession.ts'
import type { WorkerResponse } from './protocol.ts'
import { SaeSession } from './saeSession.ts'
import { SteeringSession } from './steeringSession.ts'
import { DEAD_FEATURE as DEAD, fixtureShare, requestId as rid, writeSessionFixture } from './testing/sessionFixture.ts'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monoscope-session-reads-'))
  await writeSessionFixture(dir)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const share = (interventions: Parameters<typeof fixtureShare>[1]) => fixtureShare(dir, interventions)

describe('every worker session', () => {
  it('loads, generates, inspects, explains a token, steers and analyses without one synchronous read; a failed steer leaves the next working', async () => {
    const spies = [vi.spyOn(tf.Tensor.prototype, 'dataSync'), vi.spyOn(tf.Tensor.prototype, 'arraySync'), vi.spyOn(tf.Tensor.prototype, 'bufferSync')]
    const models = new ModelSession()
    const saes = new SaeSession(models)
    const steering = new SteeringSession(models, saes)
    const analysis = new AnalysisSession(models, saes)
    const events: WorkerResponse[] = []
    const emit = (e: WorkerResponse) => void events.push(e)
    try {
      await models.load({ type: 'loadModel', requestId: rid(), source: dir, backend: 'wasm' }, emit)
      const sampling = { temperature: 0, topK: 0, topP: 1 }
      await models.generate({ type: 'generate', requestId: rid(), prompt: { kind: 'text', text: 'the cat' }, sampling, seed: 0, maxTokens: 3, stopAtEos: false }, emit)
      await saes.load({ type: 'loadSae', requestId: rid(), id: 'user', spec: { kind: 'source', source: dir, subfolder: 'sae' } }, emit)
      const inspected = await saes.encodePrompt({ type: 'encodePrompt', requestId: rid(), saeId: 'user', prompt: { kind: 'text', text: 'the cat sat' }, topK: 3, position: 1 })
      expect(inspected.ids.length).toBeGreaterThan(2)
      const why = await saes.attribute({ type: 'attribute', requestId: rid(), saeId: 'user', prompt: { kind: 'text', text: 'the cat sat' }, position: 2 })
      expect(why.features.length).toBeGreaterThan(0)
      // The same token under a steering demo: the steered model is explained (its prompt begins the ids).
      const demo = share([{ index: 1, mode: 'clamp', strength: { kind: 'absolute', value: 8 } }])
      const steeredWhy = await saes.attribute({ type: 'attribute', requestId: rid(), saeId: 'user', prompt: { kind: 'ids', ids: why.ids }, position: why.ids.length - 1, steering: { ...demo, prompt: 'the cat' } })
      expect(steeredWhy.steered).toBe(true)
      expect(Math.abs(steeredWhy.logit - why.logit)).toBeGreaterThan(1e-3)
      await expect(saes.attribute({ type: 'attribute', requestId: rid(), saeId: 'user', prompt: { kind: 'ids', ids: why.ids }, position: 1, steering: { ...demo, prompt: 'the cat sat on' } })).rejects.toThrow(/do not begin with the steering demo's prompt/)
      const contrasted = await saes.contrast({ type: 'contrast', requestId: rid(), saeId: 'user', sets: { kind: 'texts', with: ['the cat sat'], without: ['the mat'] }, target: 'sat' })
      expect(contrasted.byAttribution!.length).toBeGreaterThan(0)

      // A request that fails inside the worker (this feature's decoder direction is all zeros)...
      const failed = steering.steer({ type: 'steer', requestId: rid(), saeId: 'user', state: share([{ index: DEAD, mode: 'clamp', strength: { kind: 'absolute', value: 3 } }]) }, emit)
      await expect(failed).rejects.toThrow(/all-zero decoder direction/)
      // ...and the next one on the same backend works, and steers.
      events.length = 0
      await steering.steer({ type: 'steer', requestId: rid(), saeId: 'user', state: share([{ index: 1, mode: 'add', strength: { kind: 'absolute', value: 40 } }]) }, emit)
      const tokens = (side: string) => events.filter((e) => e.type === 'steerToken' && e.side === side).map((e) => (e as { id: number }).id)
      expect(tokens('default').length + tokens('steered').length).toBeGreaterThan(0)
      expect(tokens('steered')).not.toEqual(tokens('default'))

      const analysed = await analysis.analyse(
        { type: 'analyseSae', requestId: rid(), saeId: 'user', corpus: { kind: 'text', name: 'pets.txt', text: 'the cat sat on the mat .\nthe dog ran .' }, tokens: 300, neighbourSaeIds: [], map: true },
        emit,
      )
      expect(analysed.tokens).toBeGreaterThan(0)
      for (const spy of spies) expect(spy).not.toHaveBeenCalled()
    } finally {
      for (const spy of spies) spy.mockRestore()
      models.dispose()
    }
  })
})
