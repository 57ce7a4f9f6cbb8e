// Every worker session reads tensors only asynchronously: tfjs-webgpu's synchronous reads return zeros inside a worker
// on the software adapter and can poison the device (DESIGN). A spy fails on any dataSync/arraySync/bufferSync while
// a model loads and generates, an SAE loads and inspects a prompt, steering runs, and an analysis builds its pages
// and map; then a request that fails (a feature with an all-zero decoder direction) must leave the next one working.
import * as tf from '@tensorflow/tfjs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { writeSafetensors } from '../core/formats/safetensors.ts'
import { hookName } from '../core/model/hookNames.ts'
import { defaultSaeConfig, saeLensFiles, type SaeConfig } from '../core/sae/index.ts'
import { randomArray } from '../core/sae/testing/random.ts'
import type { ShareState } from '../core/steering/shareState.ts'
import { makeTinyGpt2 } from '../core/testing/tinyModel.ts'
import { wordLevelTokenizerJson } from '../core/testing/wordTokenizer.ts'
import { AnalysisSession } from './analysisSession.ts'
import { ModelSession } from './modelSession.ts'
import type { RequestId, WorkerResponse } from './protocol.ts'
import { SaeSession } from './saeSession.ts'
import { SteeringSession } from './steeringSession.ts'

const WORDS = ['<eos>', 'the', 'cat', 'sat', 'on', 'mat', 'dog', 'ran', '.']
const D_MODEL = 8
const D_SAE = 24
const HOOK = hookName.residPost(0)
const DEAD = 5 // the feature whose decoder row is all zeros

let dir: string
let nextId = 1
const rid = () => nextId++ as RequestId

function saeConfig(): SaeConfig {
  const config = defaultSaeConfig('standard', D_MODEL, D_SAE)
  return { ...config, metadata: { ...config.metadata, hookName: HOOK, prependBos: true } }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monoscope-session-reads-'))
  const tiny = makeTinyGpt2({ seed: 4, nLayers: 1, dModel: D_MODEL, nHeads: 2, vocab: WORDS.length, nCtx: 32 })
  const weights = Object.fromEntries([...tiny.tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data }]))
  const tokenizer = wordLevelTokenizerJson(WORDS)
  await writeFile(join(dir, 'config.json'), JSON.stringify({ ...tiny.configJson, bos_token_id: 0, eos_token_id: 0 }))
  await writeFile(join(dir, 'model.safetensors'), writeSafetensors(weights))
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer))
  const wDec = randomArray(D_SAE * D_MODEL, 2, 0.5)
  wDec.fill(0, DEAD * D_MODEL, (DEAD + 1) * D_MODEL)
  const arrays = { wEnc: randomArray(D_MODEL * D_SAE, 1, 0.5), wDec, bEnc: randomArray(D_SAE, 3, 0.1, 0.3), bDec: randomArray(D_MODEL, 4, 0.1), threshold: null }
  await mkdir(join(dir, 'sae'))
  for (const [name, data] of Object.entries(saeLensFiles(saeConfig(), arrays))) await writeFile(join(dir, 'sae', name), data)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function share(interventions: ShareState['interventions']): ShareState {
  return {
    version: 1,
    model: dir,
    sae: { source: join(dir, 'sae'), id: 'user', hook: null },
    prompt: 'the cat sat',
    interventions,
    positions: 'all',
    steerBos: false,
    sampling: { temperature: 0, topK: 0, topP: 1, maxTokens: 4 },
    seed: 1,
    backend: null,
  } as ShareState
}

describe('every worker session', () => {
  it('loads, generates, inspects, steers and analyses without one synchronous read; a failed steer leaves the next working', async () => {
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
