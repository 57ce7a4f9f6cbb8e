// ModelSession in Node on a tiny random GPT-2 folder: load, tokenize, stream, stop, and nothing lost on a failed load.
import * as tf from '@tensorflow/tfjs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serializeError } from '../core/errors.ts'
import { writeSafetensors } from '../core/formats/safetensors.ts'
import { makeTinyGpt2 } from '../core/testing/tinyModel.ts'
import { ModelSession } from './modelSession.ts'
import type { RequestId, WorkerResponse } from './protocol.ts'

const WORDS = ['[UNK]', 'the', 'cat', 'sat', 'on', 'mat', '.', '<eos>']
const tokenizerJson = {
  version: '1.0',
  added_tokens: [{ id: 0, content: '[UNK]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
  normalizer: null,
  pre_tokenizer: { type: 'Whitespace' },
  post_processor: null,
  decoder: null,
  model: { type: 'WordLevel', vocab: Object.fromEntries(WORDS.map((w, i) => [w, i])), unk_token: '[UNK]' },
}

let dir: string
let nextId = 1
const rid = () => nextId++ as RequestId

async function writeModel(folder: string): Promise<void> {
  const tiny = makeTinyGpt2({ seed: 5, nLayers: 1, dModel: 8, nHeads: 2, vocab: WORDS.length, nCtx: 24 })
  const weights = Object.fromEntries([...tiny.tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data }]))
  await writeFile(join(folder, 'config.json'), JSON.stringify({ ...tiny.configJson, eos_token_id: 7, bos_token_id: 7 }))
  await writeFile(join(folder, 'model.safetensors'), writeSafetensors(weights))
  await writeFile(join(folder, 'tokenizer.json'), JSON.stringify(tokenizerJson))
  await writeFile(join(folder, 'generation_config.json'), JSON.stringify({ temperature: 0.7, top_k: 5 }))
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monoscope-session-'))
  await writeModel(dir)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const sampling = { temperature: 1, topK: 0, topP: 1 }

async function run(session: ModelSession, maxTokens: number, seed = 3) {
  const events: WorkerResponse[] = []
  const done = await session.generate(
    { type: 'generate', requestId: rid(), prompt: { kind: 'text', text: 'the cat sat' }, sampling, seed, maxTokens, stopAtEos: false },
    (e) => events.push(e),
  )
  return { done, events, ids: events.flatMap((e) => (e.type === 'token' ? [e.id] : [])) }
}

describe('ModelSession', () => {
  const session = new ModelSession()

  it('loads a model folder, reporting progress, shape, hooks and generation defaults', async () => {
    const events: WorkerResponse[] = []
    const reply = await session.load({ type: 'loadModel', requestId: rid(), source: dir, backend: 'wasm' }, (e) => events.push(e))
    expect(reply.backend.name).toBe('wasm')
    expect(reply.model).toMatchObject({ nLayers: 1, dModel: 8, vocabSize: WORDS.length, eosTokenId: 7, hasTokenizer: true, speaksTinyWorld: false })
    expect(reply.hookNames).toContain('blocks.0.hook_resid_post')
    expect(reply.generationDefaults).toEqual({ temperature: 0.7, topK: 5 })
    const files = new Set(events.flatMap((e) => (e.type === 'progress' ? [e.file] : [])))
    expect(files).toContain('model.safetensors')
  })

  it('tokenizes text into ids and display pieces', () => {
    const reply = session.tokenize({ type: 'tokenize', requestId: rid(), text: 'the cat sat' })
    expect(reply.ids).toEqual([1, 2, 3])
    expect(reply.pieces).toHaveLength(3)
  })

  it('streams the prompt tokens, then each generated token, and repeats itself for a seed', async () => {
    const first = await run(session, 6)
    expect(first.events[0]).toMatchObject({ type: 'tokens', ids: [1, 2, 3] })
    expect(first.ids).toHaveLength(6)
    expect(first.done).toMatchObject({ type: 'done', reason: 'maxTokens', generated: 6 })
    const again = await run(session, 6)
    expect(again.ids).toEqual(first.ids)
    // No tensors leak from one generation to the next.
    expect(again.done.numTensors).toBe(first.done.numTensors)
    expect(tf.memory().numTensors).toBe(first.done.numTensors)
  })

  it('stops a generation between tokens', async () => {
    const requestId = rid()
    const ids: number[] = []
    const done = await session.generate(
      { type: 'generate', requestId, prompt: { kind: 'ids', ids: [1] }, sampling, seed: 1, maxTokens: 20, stopAtEos: false },
      (e) => {
        if (e.type !== 'token') return
        ids.push(e.id)
        if (ids.length === 2) session.stop({ type: 'stop', requestId: rid(), target: requestId })
      },
    )
    expect(done.reason).toBe('stopped')
    expect(ids).toHaveLength(2)
  })

  it('keeps the loaded model when a load fails', async () => {
    const err = await session.load({ type: 'loadModel', requestId: rid(), source: join(dir, 'missing'), backend: 'wasm' }, () => {}).catch((e: unknown) => e)
    expect(serializeError(err).code).toBe('SOURCE_NOT_FOUND')
    const after = await run(session, 2)
    expect(after.done.generated).toBe(2)
  })

  it('keeps the loaded model, and its backend, when the requested backend cannot start', async () => {
    const err = await session.load({ type: 'loadModel', requestId: rid(), source: dir, backend: 'webgpu' }, () => {}).catch((e: unknown) => e)
    expect(serializeError(err).code).toBe('BACKEND')
    expect(tf.getBackend()).toBe('wasm')
    expect((await run(session, 2)).done.generated).toBe(2)
  })

  it('rejects token ids outside the vocabulary', async () => {
    const err = await session
      .generate({ type: 'generate', requestId: rid(), prompt: { kind: 'ids', ids: [99] }, sampling, seed: 0, maxTokens: 1, stopAtEos: true }, () => {})
      .catch((e: unknown) => e)
    expect(serializeError(err).code).toBe('INVALID_ARGUMENT')
  })

  it('says so when asked to generate before any model is loaded', async () => {
    const empty = new ModelSession()
    const err = await run(empty, 1).catch((e: unknown) => e)
    expect(serializeError(err)).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'No model is loaded yet' })
  })
})
