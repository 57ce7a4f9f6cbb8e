import * as tf from '@tensorflow/tfjs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { ModelConfigError, ModelWeightsError, SafetensorsFormatError, SourceNotFoundError } from '../errors.ts'
import { writeSafetensors, type TensorEntry } from '../formats/safetensors.ts'
import { createFolderSource } from '../sources/index.ts'
import { defineSource, type FileSource, type ProgressEvent } from '../sources/types.ts'
import { makeTinyGpt2 } from '../testing/tinyModel.ts'
import { HookedGpt2 } from './gpt2.ts'
import { loadModel } from './load.ts'

const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })
const WORDS = ['[UNK]', 'the', 'cat', 'sat', 'on', 'mat', '.']
const tokenizerJson = {
  version: '1.0',
  added_tokens: [special(0, '[UNK]')],
  normalizer: null,
  pre_tokenizer: { type: 'Whitespace' },
  post_processor: null,
  decoder: null,
  model: { type: 'WordLevel', vocab: Object.fromEntries(WORDS.map((w, i) => [w, i])), unk_token: '[UNK]' },
}

const encoder = new TextEncoder()
const tiny = makeTinyGpt2({ seed: 2, nLayers: 1, dModel: 8, nHeads: 2, vocab: 12, nCtx: 8, naming: 'transformer-prefix', withAttnBias: true })
const toRecord = (tensors: Map<string, TensorEntry>) => Object.fromEntries([...tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data }]))

/** An in-memory repo that records which files were fetched. */
function memorySource(files: Record<string, Uint8Array | string>): FileSource & { fetched: string[] } {
  const fetched: string[] = []
  const bytes = (f: string) => {
    const v = files[f]
    return typeof v === 'string' ? encoder.encode(v) : v
  }
  const source = defineSource({
    kind: 'url',
    description: 'memory://tiny',
    async fetchBytes(file, opts) {
      fetched.push(file)
      const b = bytes(file)
      if (!b) throw new SourceNotFoundError(`memory://tiny/${file} not found`)
      opts?.onProgress?.({ file, loaded: b.length, total: b.length })
      return b
    },
    async exists(file) {
      return bytes(file) !== undefined
    },
    subfolder() {
      throw new Error('not used')
    },
  })
  return Object.assign(source, { fetched })
}

const repo = (overrides: Record<string, Uint8Array | string | undefined> = {}) => {
  const files: Record<string, Uint8Array | string> = {
    'config.json': JSON.stringify(tiny.configJson),
    'model.safetensors': writeSafetensors(toRecord(tiny.tensors)),
    'tokenizer.json': JSON.stringify(tokenizerJson),
    'generation_config.json': JSON.stringify({ do_sample: true, temperature: 0.7 }),
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete files[k]
    else files[k] = v
  }
  return memorySource(files)
}

const ids = [[1, 2, 3, 4, 5]]
let expected: number[][][]

beforeAll(async () => {
  await selectBackend(['wasm'])
  const model = HookedGpt2.fromTensors(tiny.config, tiny.tensors)
  const logits = await model.forward(ids)
  expected = logits.arraySync()
  logits.dispose()
  model.dispose()
})

describe('loadModel', () => {
  it('loads config, weights, tokenizer and generation config, reporting progress', async () => {
    const source = repo()
    const events: ProgressEvent[] = []
    const { model, tokenizer, generationConfig } = await loadModel(source, { onProgress: (e) => events.push(e) })
    expect(model.config).toMatchObject(tiny.config)
    expect(model.engine.kind).toBe('tfjs')
    expect(tokenizer!.encode('the cat sat')).toEqual([1, 2, 3])
    expect(generationConfig).toEqual({ do_sample: true, temperature: 0.7 })
    expect(events.map((e) => e.file)).toContain('model.safetensors')
    const logits = await model.forward(ids)
    expect(logits.arraySync()).toEqual(expected)
    logits.dispose()
    model.dispose()
  })

  it('treats tokenizer.json and generation_config.json as optional', async () => {
    const { model, tokenizer, generationConfig } = await loadModel(repo({ 'tokenizer.json': undefined, 'generation_config.json': undefined }))
    expect(tokenizer).toBeNull()
    expect(generationConfig).toEqual({})
    model.dispose()
  })

  it('reads sharded weights through model.safetensors.index.json', async () => {
    const entries = [...tiny.tensors]
    const half = Math.floor(entries.length / 2)
    const shardA = new Map(entries.slice(0, half))
    const shardB = new Map(entries.slice(half))
    const index = { metadata: {}, weight_map: Object.fromEntries([...[...shardA.keys()].map((k) => [k, 'a.safetensors']), ...[...shardB.keys()].map((k) => [k, 'b.safetensors'])]) }
    const source = repo({
      'model.safetensors': undefined,
      'model.safetensors.index.json': JSON.stringify(index),
      'a.safetensors': writeSafetensors(toRecord(shardA)),
      'b.safetensors': writeSafetensors(toRecord(shardB)),
    })
    const { model } = await loadModel(source)
    const logits = await model.forward(ids)
    expect(logits.arraySync()).toEqual(expected)
    logits.dispose()
    model.dispose()
  })

  it('fails with the right error class, before the weights download when the config is bad', async () => {
    const badConfig = repo({ 'config.json': JSON.stringify({ ...tiny.configJson, n_head: 3 }) })
    await expect(loadModel(badConfig)).rejects.toThrow(ModelConfigError)
    expect(badConfig.fetched).not.toContain('model.safetensors')
    await expect(loadModel(repo({ 'config.json': '{ nope' }))).rejects.toThrow(/config.json in memory:\/\/tiny is not valid JSON/)
    await expect(loadModel(repo({ 'config.json': undefined }))).rejects.toThrow(SourceNotFoundError)
    await expect(loadModel(repo({ 'model.safetensors': undefined }))).rejects.toThrow(/has no model.safetensors/)
    await expect(loadModel(repo({ 'model.safetensors': new Uint8Array(3) }))).rejects.toThrow(SafetensorsFormatError)
    const wrongShape = makeTinyGpt2({ seed: 2, nLayers: 1, dModel: 8, nHeads: 2, vocab: 13, nCtx: 8 })
    await expect(loadModel(repo({ 'model.safetensors': writeSafetensors(toRecord(wrongShape.tensors)) }))).rejects.toThrow(ModelWeightsError)
  })

  it('loads a folder on disk and leaks no tensors across load and dispose', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'monoscope-load-'))
    try {
      await writeFile(join(dir, 'config.json'), JSON.stringify(tiny.configJson))
      await writeFile(join(dir, 'model.safetensors'), writeSafetensors(toRecord(tiny.tensors)))
      const before = tf.memory().numTensors
      const { model, tokenizer } = await loadModel(createFolderSource(dir))
      expect(tokenizer).toBeNull()
      const logits = await model.forward(ids)
      expect(logits.arraySync()).toEqual(expected)
      logits.dispose()
      model.dispose()
      expect(tf.memory().numTensors).toBe(before)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

