// The readers the fuzzer attacks, each with a valid seed file built by the project's own code (or a committed
// fixture), and, where a mutation must be refused whatever the reader's tolerance, the "must refuse" cases: a
// shifted safetensors file, NaN in weights, a config field the engine does not implement, a zip failing its CRC.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { zipSync } from 'fflate'
import { decodeJsonBytes, parseFeatureShard, parseFeatureSummary } from '../src/core/analysis/featureFolder.ts'
import { parseFeatureAnalysis, parseFeatureMap } from '../src/core/analysis/format.ts'
import { parseSaeIndex } from '../src/core/analysis/saeIndex.ts'
import { ModelConfigError, SourceNotFoundError } from '../src/core/errors.ts'
import { parseJsonChecked } from '../src/core/formats/safeJson.ts'
import { readSafetensors, writeSafetensors } from '../src/core/formats/safetensors.ts'
import { extractZipEntries } from '../src/core/formats/zipArchive.ts'
import { gpt2ConfigToJson, parseGpt2Config } from '../src/core/model/config.ts'
import { parseDecoderConfig } from '../src/core/model/onnx/decoderConfig.ts'
import { decodeOnnx } from '../src/core/model/onnx/onnxProto.ts'
import { findResidualStream, indexGraph } from '../src/core/model/onnx/residualStream.ts'
import { loadModel } from '../src/core/model/load.ts'
import { mapGpt2Weights } from '../src/core/model/weights.ts'
import { activationCacheToBytes, readActivationCache } from '../src/core/sae/activationCache.ts'
import { parseSaeLensConfig } from '../src/core/sae/config.ts'
import { readSaeLensFolder, saeLensFiles } from '../src/core/sae/saelens.ts'
import { zipFolder } from '../src/core/sae/saeZip.ts'
import { randomArray } from '../src/core/sae/testing/random.ts'
import { defaultSaeConfig } from '../src/core/sae/types.ts'
import { decodeShareState, encodeShareState, type ShareState } from '../src/core/steering/shareState.ts'
import { makeTinyGpt2 } from '../src/core/testing/tinyModel.ts'
import { defineSource } from '../src/core/sources/types.ts'
import { loadTokenizer } from '../src/core/tokenizer/tokenizer.ts'

const root = path.resolve(import.meta.dirname, '..')
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b)
const json = (v: unknown): Uint8Array => text(JSON.stringify(v))

export interface Seed {
  bytes: Uint8Array
  /** The seed as a JSON value, when the format is JSON: structural mutations edit it and `encode` writes it back. */
  json?: unknown
  encode?: (value: unknown) => Uint8Array | Promise<Uint8Array>
}

export interface MustRefuse {
  name: string
  /** Which seed it is made from, and whose place it takes (default the first). */
  seed?: number
  make: (seed: Seed) => Uint8Array | Promise<Uint8Array>
}

export interface FuzzReader {
  name: string
  seeds: () => Promise<Seed[]>
  /** Reads the bytes as the app does; resolving means "accepted". `seed`: the seed they were made from. */
  read: (bytes: Uint8Array, seed: number) => unknown
  mustRefuse: MustRefuse[]
}

// ---------------------------------------------------------------------------------------------------- seeds

const tiny = () => makeTinyGpt2({ seed: 5, nLayers: 2, dModel: 8, nHeads: 2, vocab: 16, nCtx: 8, naming: 'transformer-prefix' })
const tinyConfigJson = () => gpt2ConfigToJson(tiny().config)
const tinyWeights = (): Uint8Array => writeSafetensors(Object.fromEntries([...tiny().tensors].map(([k, e]) => [k, { shape: e.shape, data: e.data }])))

const saeConfig = defaultSaeConfig('standard', 4, 6)
const saeFiles = () => saeLensFiles(saeConfig, { wEnc: randomArray(24, 1), wDec: randomArray(24, 2), bEnc: randomArray(6, 3), bDec: randomArray(4, 4), threshold: null })

const shareState: ShareState = {
  version: 1,
  model: 'models/tinyworld',
  sae: { source: 'hf:monoscope/tinyworld-saes@main', id: 'tinyworld/blocks.2.hook_resid_post/1024', hook: 'blocks.2.hook_resid_post' },
  prompt: 'The keeper said the bridge is secret',
  interventions: [
    { index: 37, mode: 'clamp', strength: { kind: 'maxMultiple', multiple: 5, maxAct: 3.0625 } },
    { index: 12, mode: 'add', strength: { kind: 'absolute', value: -2.5 } },
  ],
  positions: 'all',
  steerBos: false,
  sampling: { temperature: 0.8, topK: 40, topP: 0.95, maxTokens: 64 },
  seed: 1234567,
  backend: 'wasm',
}

/** The header length and data start of a safetensors file. */
const dataStart = (bytes: Uint8Array): number => 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))

function insertByte(bytes: Uint8Array, at: number): Uint8Array {
  const out = new Uint8Array(bytes.length + 1)
  out.set(bytes.subarray(0, at))
  out.set(bytes.subarray(at), at + 1)
  return out
}

function withHeaderLength(bytes: Uint8Array, delta: number): Uint8Array {
  const out = bytes.slice()
  new DataView(out.buffer).setBigUint64(0, BigInt(dataStart(bytes) - 8 + delta), true)
  return out
}

/** The safetensors file with one float32 of its first tensor replaced by `value`. */
function poisonFloat(bytes: Uint8Array, value: number): Uint8Array {
  const out = bytes.slice()
  new DataView(out.buffer).setFloat32(dataStart(out) + 4, value, true)
  return out
}

const shifted: MustRefuse[] = [
  { name: 'a byte inserted in the data', make: (s) => insertByte(s.bytes, dataStart(s.bytes) + 4) },
  { name: 'header length one short', make: (s) => withHeaderLength(s.bytes, -1) },
  { name: 'header length one long', make: (s) => withHeaderLength(s.bytes, 1) },
  { name: 'a trailing byte', make: (s) => insertByte(s.bytes, s.bytes.length) },
]
const poisoned: MustRefuse[] = [
  { name: 'NaN in a weight', make: (s) => poisonFloat(s.bytes, NaN) },
  { name: 'infinity in a weight', make: (s) => poisonFloat(s.bytes, Infinity) },
]

/** config.json's text as the model loader parses it (depth-checked, refused as a ModelConfigError). */
const configJson = (bytes: Uint8Array): unknown =>
  parseJsonChecked(utf8(bytes), (detail) => {
    throw new ModelConfigError(`config.json is ${detail}`)
  })

const fromFile = async (file: string): Promise<Uint8Array> => new Uint8Array(await readFile(path.join(root, file)))

/**
 * A whole model folder through the real loader: the case's bytes take the place of the seed's file (config.json,
 * the weights, tokenizer.json…), the others stay intact, and `loadModel` reads the folder from memory and picks the
 * engine; the model must then run one forward step (for ONNX: onnxruntime builds its session and runs it) to finite
 * logits. Finite logits are part of "accepted": a shifted or NaN weight that loads and computes NaN is a silent
 * acceptance, counted as a crash.
 */
function modelFolderReader(name: string, dir: string, files: string[], mustRefuse: MustRefuse[]): FuzzReader {
  const load = () => Promise.all(files.map((f) => fromFile(`${dir}/${f}`)))
  const intact = load()
  return {
    name,
    seeds: async () =>
      (await intact).map((bytes, i) => (files[i]!.endsWith('.json') ? { bytes, json: JSON.parse(utf8(bytes)) as unknown, encode: json } : { bytes })),
    read: async (bytes, seed) => {
      const folder = new Map((await intact).map((b, i) => [files[i]!, i === seed ? bytes : b]))
      const source = defineSource({
        kind: 'folder',
        description: `fuzzed ${dir}`,
        fetchBytes: async (file) => {
          const found = folder.get(file)
          if (!found) throw new SourceNotFoundError(`${file} is not in the fuzzed folder`)
          return found
        },
        exists: async (file) => folder.has(file),
        subfolder: () => source,
      })
      const { model } = await loadModel(source)
      try {
        const ids = [model.config.bosTokenId ?? 0, 1, 2, 3].map((id) => id % model.config.vocabSize)
        const logits = await model.forward([ids], { logitsAt: 'last' }) // [1, 1, vocab]
        const values = (await logits.data()) as Float32Array
        logits.dispose()
        if (!values.every(Number.isFinite)) throw new Error('the model loaded, but its forward step gives non-finite logits')
      } finally {
        model.dispose()
      }
    },
    mustRefuse,
  }
}

/** The first float32 of the ONNX file's first MatMul weight with raw data, replaced by `value`. */
function poisonOnnx(bytes: Uint8Array, value: number): Uint8Array {
  const model = decodeOnnx(bytes, 'model.onnx')
  const weights = new Set(model.graph.node.filter((n) => n.opType === 'MatMul').flatMap((n) => n.input))
  const init = model.graph.initializer.find((t) => weights.has(t.name) && t.dataType === 1 && t.rawData !== undefined && t.rawData.length >= 4)
  if (!init?.rawData) throw new Error('the ONNX fixture has no raw float initializer to poison')
  const at = findBytes(bytes, init.rawData)
  const out = bytes.slice()
  new DataView(out.buffer).setFloat32(at, value, true)
  return out
}

function findBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  throw new Error('not found')
}

// ---------------------------------------------------------------------------------------------------- readers

export const READERS: FuzzReader[] = [
  {
    name: 'safetensors',
    seeds: async () => [{ bytes: tinyWeights() }, { bytes: writeSafetensors({ a: { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }, b: { shape: [], data: Float32Array.of(7) } }, { format: 'pt' }) }],
    read: (bytes) => readSafetensors(bytes),
    mustRefuse: shifted,
  },
  {
    name: 'model config (GPT-2)',
    seeds: async () => [{ bytes: json(tinyConfigJson()), json: tinyConfigJson(), encode: json }],
    read: (bytes) => parseGpt2Config(configJson(bytes)),
    mustRefuse: [
      ...(
        [
          ['n_layer', 1e8],
          ['layer_norm_epsilon', 1e300],
          ['scale_attn_weights', false],
          ['scale_attn_by_inverse_layer_idx', true],
          ['reorder_and_upcast_attn', true],
          ['add_cross_attention', true],
          ['n_embd', 2 ** 31],
          ['vocab_size', 1.5],
        ] as const
      ).map(([key, value]) => ({ name: `${key}: ${value}`, make: () => json({ ...tinyConfigJson(), [key]: value }) })),
    ],
  },
  {
    name: 'model config (ONNX decoders)',
    seeds: async () =>
      Promise.all(
        ['llama', 'gpt_neox', 'gemma2'].map(async (family) => {
          const bytes = await fromFile(`test-fixtures/onnx/${family}/config.json`)
          return { bytes, json: JSON.parse(utf8(bytes)) as unknown, encode: json }
        }),
      ),
    read: (bytes) => parseDecoderConfig(configJson(bytes)),
    mustRefuse: [
      { name: 'num_hidden_layers: 1e8', make: (s) => json({ ...(s.json as object), num_hidden_layers: 1e8 }) },
      { name: 'vocab_size: 2^31', make: (s) => json({ ...(s.json as object), vocab_size: 2 ** 31 }) },
    ],
  },
  {
    name: 'model weights (GPT-2 safetensors)',
    seeds: async () => [{ bytes: tinyWeights() }],
    read: (bytes) => mapGpt2Weights(tiny().config, readSafetensors(bytes).tensors),
    mustRefuse: [...shifted, ...poisoned],
  },
  {
    name: 'SAE cfg.json',
    seeds: async () => {
      const cfg = saeFiles()['cfg.json'] as string
      return [{ bytes: text(cfg), json: JSON.parse(cfg) as unknown, encode: json }]
    },
    read: (bytes) => parseSaeLensConfig(utf8(bytes)),
    mustRefuse: [{ name: 'd_sae: 1.5', make: (s) => json({ ...(s.json as object), d_sae: 1.5 }) }],
  },
  {
    name: 'SAE weights',
    seeds: async () => [{ bytes: saeFiles()['sae_weights.safetensors'] as Uint8Array }],
    read: (bytes) => readSaeLensFolder({ cfg: saeFiles()['cfg.json'] as string, weights: bytes }),
    mustRefuse: [...shifted, ...poisoned],
  },
  {
    name: 'SAE zip',
    seeds: async () => [{ bytes: zipFolder('sae', saeFiles()) }, { bytes: zipSync({ 'sae/cfg.json': text(saeFiles()['cfg.json'] as string), 'sae/sae_weights.safetensors': saeFiles()['sae_weights.safetensors'] as Uint8Array }, { level: 0 }) }],
    read: async (bytes) => {
      const entries = await extractZipEntries(bytes, 'sae.zip', (n) => /(^|\/)(cfg\.json|sae_weights\.safetensors)$/.test(n))
      const byName = (n: string) => entries.find((e) => e.name.endsWith(n))?.data ?? new Uint8Array()
      return readSaeLensFolder({ cfg: utf8(byName('cfg.json')), weights: byName('sae_weights.safetensors') })
    },
    mustRefuse: [
      {
        name: 'a stored byte changed (CRC-32)',
        make: async () => {
          const zip = zipSync({ 'sae/cfg.json': text(saeFiles()['cfg.json'] as string), 'sae/sae_weights.safetensors': saeFiles()['sae_weights.safetensors'] as Uint8Array }, { level: 0 })
          const out = zip.slice()
          out[out.length - 200]! ^= 0x01 // inside the stored weights, before the directory
          return out
        },
      },
    ],
  },
  {
    name: 'tokenizer.json',
    seeds: async () => {
      const bytes = await fromFile('test-fixtures/onnx/gpt2/tokenizer.json')
      return [{ bytes, json: JSON.parse(utf8(bytes)) as unknown, encode: json }]
    },
    read: (bytes) => {
      const tokenizer = loadTokenizer(utf8(bytes))
      // Encoding is where a hostile pattern hangs: encode a little text every time.
      return tokenizer.decode(tokenizer.encode('The cat sat on the mat, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'))
    },
    mustRefuse: [
      { name: 'a token id of 2^31', make: (s) => json(withVocabId(s.json, 2 ** 31)) },
      { name: 'a token id of 1.5', make: (s) => json(withVocabId(s.json, 1.5)) },
      {
        name: 'pattern (a+)+$',
        make: (s) => json({ ...(s.json as object), pre_tokenizer: { type: 'Split', pattern: { Regex: '(a+)+$' }, behavior: 'Isolated', invert: false } }),
      },
    ],
  },
  {
    name: 'share state',
    seeds: async () => [{ bytes: text(await encodeShareState(shareState)), json: shareState, encode: async (v) => text(await packState(v)) }],
    read: (bytes) => decodeShareState(utf8(bytes)),
    mustRefuse: [
      { name: 'JSON nested 5,000 deep', make: async () => text(await packRaw(`${'['.repeat(5000)}${']'.repeat(5000)}`)) },
      { name: 'a 64 KB-inflating bomb', make: async () => text(await packRaw(' '.repeat(200_000))) },
    ],
  },
  {
    name: 'analysis files',
    seeds: async () => {
      // Trimmed copies of the committed TinyWorld files (still valid), so a case costs milliseconds, not a second.
      const dir = 'public/analysis/tinyworld/blocks.2.hook_resid_post'
      const summary = (await decodeJsonBytes(await fromFile(`${dir}/standard-1024/summary.json`))) as { sae: { d_sae: number }; shard_size: number; shards: string[]; features: unknown[] }
      const small = { ...summary, sae: { ...summary.sae, d_sae: 64 }, shards: summary.shards.slice(0, 1), features: summary.features.slice(0, 64) }
      const shard = (await decodeJsonBytes(await fromFile(`${dir}/standard-1024/features-0000.json.gz`))) as { features: unknown[] }
      const smallShard = { ...shard, features: shard.features.slice(0, 4) }
      const map = (await decodeJsonBytes(await fromFile(`${dir}/map.json`))) as { points: Record<string, unknown[]>; links: Record<string, number[]> }
      const keep = 200
      const links = (map.links.from ?? []).map((from, i) => [from, map.links.to?.[i] ?? 0, map.links.cosine?.[i] ?? 0] as const).filter(([a, b]) => a < keep && b < keep)
      const smallMap = {
        ...map,
        points: Object.fromEntries(Object.entries(map.points).map(([k, v]) => [k, v.slice(0, keep)])),
        links: { from: links.map((l) => l[0]), to: links.map((l) => l[1]), cosine: links.map((l) => l[2]) },
      }
      const index = await decodeJsonBytes(await fromFile('public/saes/tinyworld/index.json'))
      const { gzipSync } = await import('node:zlib')
      return [
        { bytes: json(small), json: small, encode: json },
        { bytes: new Uint8Array(gzipSync(json(smallShard))), json: smallShard, encode: json },
        { bytes: json(smallMap), json: smallMap, encode: json },
        { bytes: json(index), json: index, encode: json },
      ]
    },
    read: async (bytes) => {
      const value = await decodeJsonBytes(bytes)
      const format = (value as { format?: unknown } | null)?.format
      if (format === 'monoscope.feature-summary') return parseFeatureSummary(value)
      if (format === 'monoscope.feature-shard') return parseFeatureShard(value)
      if (format === 'monoscope.feature-map') return parseFeatureMap(value)
      if (format === 'monoscope.sae-index') return parseSaeIndex(value)
      return parseFeatureAnalysis(value)
    },
    mustRefuse: [{ name: 'a gzip bomb (70 KB → 70 MB)', make: async () => new Uint8Array((await import('node:zlib')).gzipSync(new Uint8Array(70 * 1024 * 1024), { level: 1 })) }],
  },
  {
    name: 'activation cache',
    seeds: async () => [
      {
        bytes: activationCacheToBytes({
          info: { hookName: 'blocks.1.hook_resid_post', model: 'tiny', corpus: 'tinyworld:seed=0', contextSize: 8, bosTokenId: 0, skipBos: true, tokensProcessed: 24 },
          rows: 21,
          dIn: 4,
          data: randomArray(84, 9),
        }),
      },
    ],
    read: (bytes) => readActivationCache(bytes),
    mustRefuse: [...shifted, ...poisoned],
  },
  {
    name: 'ONNX model',
    seeds: async () => [{ bytes: await fromFile('test-fixtures/onnx/gpt2/onnx/model.onnx') }],
    read: async (bytes) => {
      const config = parseDecoderConfig(JSON.parse(utf8(await fromFile('test-fixtures/onnx/gpt2/config.json'))))
      const model = decodeOnnx(bytes, 'onnx/model.onnx')
      return findResidualStream(model.graph, indexGraph(model.graph), { vocab: config.vocabSize, dModel: config.dModel, nLayers: config.nLayers })
    },
    mustRefuse: [{ name: 'truncated to half', make: (s) => s.bytes.slice(0, s.bytes.length >> 1) }],
  },
  modelFolderReader('model folder (GPT-2 safetensors, loadModel)', 'test-fixtures/onnx/gpt2', ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json'], [
    { name: 'config.json with scale_attn_weights: false', make: (s) => json({ ...(s.json as object), scale_attn_weights: false }) },
    ...shifted.map((m) => ({ ...m, seed: 1 })),
    ...poisoned.map((m) => ({ ...m, seed: 1 })),
  ]),
  modelFolderReader('model folder (ONNX, loadModel + session)', 'test-fixtures/onnx/gpt2', ['config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json'], [
    { name: 'config.json with n_layer: 1e8', make: (s) => json({ ...(s.json as object), n_layer: 1e8 }) },
    { name: 'model.onnx truncated to half', seed: 1, make: (s) => s.bytes.slice(0, s.bytes.length >> 1) },
    { name: 'NaN in an initializer', seed: 1, make: (s) => poisonOnnx(s.bytes, NaN) },
    { name: 'infinity in an initializer', seed: 1, make: (s) => poisonOnnx(s.bytes, Infinity) },
  ]),
]

function withVocabId(tokenizer: unknown, id: number): unknown {
  const t = tokenizer as { model: { vocab: Record<string, number> } }
  const [first] = Object.keys(t.model.vocab)
  return { ...t, model: { ...t.model, vocab: { ...t.model.vocab, [first!]: id } } }
}

async function packRaw(jsonText: string): Promise<string> {
  const { deflateRaw, toBase64Url } = await import('../src/core/steering/compress.ts')
  return `v1.${toBase64Url(await deflateRaw(text(jsonText)))}`
}

const packState = (value: unknown): Promise<string> => packRaw(JSON.stringify(value))
