// SaeSession in Node: SAELens files from a folder and from picked bytes, per-token features that match a direct
// computation, replacement and unloading without leaks, and bad files rejected with nothing lost.
import { createHash } from 'node:crypto'
import * as tf from '@tensorflow/tfjs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serializeError } from '../core/errors.ts'
import { writeSafetensors } from '../core/formats/safetensors.ts'
import { hookName } from '../core/model/hookNames.ts'
import { defaultSaeConfig, saeLensFiles, Sae, type SaeConfig } from '../core/sae/index.ts'
import { randomArray } from '../core/sae/testing/random.ts'
import { makeTinyGpt2 } from '../core/testing/tinyModel.ts'
import { wordLevelTokenizerJson } from '../core/testing/wordTokenizer.ts'
import { ModelSession } from './modelSession.ts'
import type { RequestId, WorkerResponse } from './protocol.ts'
import { defaultSaeId, type EncodePromptRequest } from './saeProtocol.ts'
import { SaeSession } from './saeSession.ts'
import { attribute } from '../core/attribution/attribute.ts'
import { contrast } from '../core/attribution/contrast.ts'

const WORDS = ['<eos>', 'the', 'cat', 'sat', 'on', 'mat', '.']
const tokenizerJson = wordLevelTokenizerJson(WORDS)
const D_MODEL = 8
const D_SAE = 24
const HOOK = hookName.residPost(0)

let dir: string
let nextId = 1
const rid = () => nextId++ as RequestId

function saeConfig(): SaeConfig {
  const config = defaultSaeConfig('standard', D_MODEL, D_SAE)
  return { ...config, metadata: { ...config.metadata, hookName: HOOK, prependBos: true } }
}

function saeArrays(seed: number) {
  return {
    wEnc: randomArray(D_MODEL * D_SAE, seed, 0.5),
    wDec: randomArray(D_SAE * D_MODEL, seed + 1, 0.5),
    // A positive bias so most features fire and top-k lists are full.
    bEnc: randomArray(D_SAE, seed + 2, 0.1, 0.3),
    bDec: randomArray(D_MODEL, seed + 3, 0.1),
    threshold: null,
  }
}

async function writeFolder(folder: string, files: Record<string, string | Uint8Array>) {
  for (const [name, data] of Object.entries(files)) await writeFile(join(folder, name), data)
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monoscope-sae-session-'))
  const tiny = makeTinyGpt2({ seed: 9, nLayers: 1, dModel: D_MODEL, nHeads: 2, vocab: WORDS.length, nCtx: 16 })
  const weights = Object.fromEntries([...tiny.tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data }]))
  await writeFolder(dir, {
    'config.json': JSON.stringify({ ...tiny.configJson, bos_token_id: 0, eos_token_id: 0 }),
    'model.safetensors': writeSafetensors(weights),
    'tokenizer.json': JSON.stringify(tokenizerJson),
  })
  await rm(join(dir, 'sae'), { recursive: true, force: true })
  await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'sae')))
  await writeFolder(join(dir, 'sae'), saeLensFiles(saeConfig(), saeArrays(1)))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('SaeSession', () => {
  const models = new ModelSession()
  const saes = new SaeSession(models)

  it('loads an SAE from a folder source with progress and plain metadata', async () => {
    await models.load({ type: 'loadModel', requestId: rid(), source: dir, backend: 'cpu' }, () => {})
    const events: WorkerResponse[] = []
    const reply = await saes.load({ type: 'loadSae', requestId: rid(), id: 'tiny', spec: { kind: 'source', source: dir, subfolder: 'sae' } }, (e) => events.push(e))
    expect(reply.sae).toMatchObject({ id: 'tiny', architecture: 'standard', dIn: D_MODEL, dSae: D_SAE, hookName: HOOK, k: null, hasSparsity: false })
    expect(events.some((e) => e.type === 'progress' && e.file === 'sae_weights.safetensors')).toBe(true)
    expect(saes.list().map((s) => s.id)).toEqual(['tiny'])
    // The weights digest keys stored explanations: node:crypto over the file on disk is the reference.
    const onDisk = await import('node:fs/promises').then((fs) => fs.readFile(join(dir, 'sae', 'sae_weights.safetensors')))
    expect(reply.sae.weightsSha256).toBe(createHash('sha256').update(onDisk).digest('hex'))
  })

  it('gives per-token top features and all active features equal to a direct computation', async () => {
    const reply = await saes.encodePrompt({ type: 'encodePrompt', requestId: rid(), saeId: 'tiny', prompt: { kind: 'text', text: 'the cat sat' }, topK: 3, position: 2 })
    expect(reply.ids).toEqual([0, 1, 2, 3])
    expect(reply.addedBos).toBe(true)
    expect(reply.pieces).toHaveLength(4)

    // The reference: model activations at the hook through a separately built Sae, read back whole.
    const expected = await models.useModel(async ({ model }) => {
      const sae = Sae.fromArrays(saeConfig(), saeArrays(1))
      const cache = await model.collectActivations([reply.ids], [HOOK])
      const f = tf.tidy(() => sae.featureActsScaled(cache.get(HOOK)!.squeeze([0])))
      tf.dispose([...cache.values()])
      const rows = f.arraySync() as number[][]
      f.dispose()
      sae.dispose()
      return rows
    })
    for (let p = 0; p < reply.ids.length; p++) {
      const ranked = expected[p]!.map((v, i) => ({ v, i })).filter((e) => e.v > 0).sort((a, b) => b.v - a.v)
      expect(reply.tokens[p]!.indices).toEqual(ranked.slice(0, 3).map((e) => e.i))
      reply.tokens[p]!.values.forEach((v, j) => expect(v).toBeCloseTo(ranked[j]!.v, 5))
    }
    const active = expected[2]!.map((v, i) => ({ v, i })).filter((e) => e.v > 0).sort((a, b) => b.v - a.v)
    expect(reply.active!.indices).toEqual(active.map((e) => e.i))
    expect(reply.active!.indices.length).toBeGreaterThan(3)
  })

  it('does not leak tensors across repeated encodes', async () => {
    const request: EncodePromptRequest = { type: 'encodePrompt', requestId: rid(), saeId: 'tiny', prompt: { kind: 'ids', ids: [1, 2, 3, 4] }, position: 1 }
    await saes.encodePrompt(request)
    const before = tf.memory().numTensors
    for (let i = 0; i < 3; i++) await saes.encodePrompt(request)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('explains a token: the features before it, for its logit, equal to core attribute(); no leaks; bad positions refused', async () => {
    const request = { type: 'attribute' as const, requestId: rid(), saeId: 'tiny', prompt: { kind: 'text' as const, text: 'the cat sat on' }, position: 3 }
    const reply = await saes.attribute(request)
    expect(reply.ids).toEqual([0, 1, 2, 3, 4])
    expect(reply.token).toBe(3) // "sat", explained from the logits after "cat"
    expect(reply.features.length).toBeGreaterThan(5)
    expect(reply.features.every((e) => e.position <= 2)).toBe(true)
    const reference = await models.useModel(async ({ model }) => {
      const sae = Sae.fromArrays(saeConfig(), saeArrays(1))
      const r = await attribute(model, sae, undefined, reply.ids, { target: { kind: 'logit', token: 3 }, position: 2 })
      sae.dispose()
      return r
    })
    expect(reply.logit).toBeCloseTo(reference.value, 5)
    expect(reply.features.map((e) => [e.position, e.feature])).toEqual(reference.features.map((e) => [e.position, e.feature]))
    reply.features.forEach((e, i) => expect(e.ablation).toBeCloseTo(reference.features[i]!.ablation!, 5))
    expect(reply.overlap.k).toBe(10)
    expect(reply.attributionUnavailable).toBeNull()

    const before = tf.memory().numTensors
    for (let i = 0; i < 2; i++) await saes.attribute({ ...request, requestId: rid() })
    expect(tf.memory().numTensors).toBe(before)
    await expect(saes.attribute({ ...request, requestId: rid(), position: 0 })).rejects.toThrow(/first has nothing before it/)
    await expect(saes.attribute({ ...request, requestId: rid(), position: 5 })).rejects.toThrow(/tokens 1…4/)
  })

  it('contrasts typed prompt sets as core contrast() does; no leaks; a concept needs TinyWorld, a target one token', async () => {
    const sets = { kind: 'texts' as const, with: ['the cat sat on the mat', 'the cat sat', ' '], without: ['the mat .', 'on the mat .'] }
    const request = { type: 'contrast' as const, requestId: rid(), saeId: 'tiny', sets, target: 'sat', top: 5 }
    const reply = await saes.contrast(request)
    expect(reply.with).toEqual({ prompts: 2, tokens: 9 }) // blank lines skipped; BOS added and left out
    expect(reply.targetText).toBe('logit(" sat")') // the word tokenizer decodes with its leading space
    expect(reply.byActivation).toHaveLength(5)
    const reference = await models.useModel(async ({ model }) => {
      const sae = Sae.fromArrays(saeConfig(), saeArrays(1))
      const r = await contrast(model, sae, undefined, [[0, 1, 2, 3, 4, 1, 5], [0, 1, 2, 3]], [[0, 1, 5, 6], [0, 4, 1, 5, 6]], { target: { kind: 'logit', token: 3 } })
      sae.dispose()
      return r
    })
    expect(reply.byActivation.map((r) => r.feature)).toEqual(reference.byActivation.slice(0, 5))
    expect(reply.byAttribution!.map((r) => r.feature)).toEqual(reference.byAttribution!.slice(0, 5))
    expect(reply.byActivation[0]!.difference).toBeCloseTo(reference.with.mean[reference.byActivation[0]!]! - reference.without.mean[reference.byActivation[0]!]!, 5)

    const before = tf.memory().numTensors
    for (let i = 0; i < 2; i++) await saes.contrast({ ...request, requestId: rid() })
    expect(tf.memory().numTensors).toBe(before)
    await expect(saes.contrast({ ...request, requestId: rid(), sets: { kind: 'concept', concept: 'bridge', prompts: 4, seed: 1 } })).rejects.toThrow(/does not speak TinyWorld/)
    await expect(saes.contrast({ ...request, requestId: rid(), target: 'the cat' })).rejects.toThrow(/2 tokens/)
  })

  it('loads picked files (bytes or blobs), replaces an id in place and unloads without leaks', async () => {
    const files = saeLensFiles(saeConfig(), saeArrays(7))
    const picked = Object.entries(files).map(([name, data]) => ({ name: `picked/${name}`, data: typeof data === 'string' ? new Blob([data]) : data }))
    const before = tf.memory().numTensors
    const first = await saes.load({ type: 'loadSae', requestId: rid(), spec: { kind: 'files', files: picked } }, () => {})
    expect(first.sae.id).toBe(defaultSaeId({ kind: 'files', files: picked }))
    expect(first.sae.source).toContain('cfg.json')
    const grown = tf.memory().numTensors
    expect(grown).toBeGreaterThan(before)
    // Loading again under the same id disposes the old tensors.
    await saes.load({ type: 'loadSae', requestId: rid(), spec: { kind: 'files', files: picked } }, () => {})
    expect(tf.memory().numTensors).toBe(grown)
    const gone = saes.unload({ type: 'unloadSae', requestId: rid(), saeId: first.sae.id })
    expect(gone.existed).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
    expect(saes.unload({ type: 'unloadSae', requestId: rid(), saeId: first.sae.id }).existed).toBe(false)
  })

  it('rejects a truncated weights file with a clear error and keeps the loaded SAEs', async () => {
    const files = saeLensFiles(saeConfig(), saeArrays(3))
    const weights = files['sae_weights.safetensors'] as Uint8Array
    const picked = [
      { name: 'cfg.json', data: new Blob([files['cfg.json'] as string]) },
      { name: 'sae_weights.safetensors', data: weights.slice(0, weights.length >> 1) },
    ]
    const err = await saes.load({ type: 'loadSae', requestId: rid(), id: 'tiny', spec: { kind: 'files', files: picked } }, () => {}).catch((e: unknown) => e)
    expect(serializeError(err).code).toBe('SAFETENSORS_FORMAT')
    expect(serializeError(err).message).toContain('sae_weights.safetensors')
    // 'tiny' is still the first SAE and still runs.
    const reply = await saes.encodePrompt({ type: 'encodePrompt', requestId: rid(), saeId: 'tiny', prompt: { kind: 'ids', ids: [1] } })
    expect(reply.tokens).toHaveLength(2)

    const missing = await saes.load({ type: 'loadSae', requestId: rid(), spec: { kind: 'files', files: [picked[1]!] } }, () => {}).catch((e: unknown) => e)
    expect(serializeError(missing).code).toBe('SOURCE_NOT_FOUND')
    expect(serializeError(await saes.encodePrompt({ type: 'encodePrompt', requestId: rid(), saeId: 'nope', prompt: { kind: 'ids', ids: [1] } }).catch((e: unknown) => e)).code).toBe('INVALID_ARGUMENT')
  })

  it('refuses an SAE before any model, and waits for a model load in flight', async () => {
    const fresh = new ModelSession()
    const early = new SaeSession(fresh)
    const spec = { kind: 'source' as const, source: dir, subfolder: 'sae' }
    const err = await early.load({ type: 'loadSae', requestId: rid(), id: 'early', spec }, () => {}).catch((e: unknown) => e)
    expect(serializeError(err)).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/Load a model first/) })
    // Asked while the model is still loading: it waits, then loads on the model's backend.
    const model = fresh.load({ type: 'loadModel', requestId: rid(), source: dir, backend: 'cpu' }, () => {})
    const sae = early.load({ type: 'loadSae', requestId: rid(), id: 'early', spec }, () => {})
    expect((await sae).sae.dSae).toBe(D_SAE)
    await model
    early.dispose()
    fresh.dispose()
  })
})
