// AnalysisSession in Node ("analyse this SAE" in the model worker): dashboards whose densities and max activations
// match a direct computation on the same windows, shards covering every feature, a deterministic map, progress to
// the end, cancellation by the shared stop, clear errors on bad requests, and no tensor leaks.
import * as tf from '@tensorflow/tfjs'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analysisCorpus } from '../core/analysis/analysisCorpus.ts'
import { serializeError } from '../core/errors.ts'
import { writeSafetensors } from '../core/formats/safetensors.ts'
import { hookName } from '../core/model/hookNames.ts'
import { defaultSaeConfig, saeLensFiles, Sae, type SaeConfig } from '../core/sae/index.ts'
import { randomArray } from '../core/sae/testing/random.ts'
import { makeTinyGpt2 } from '../core/testing/tinyModel.ts'
import { wordLevelTokenizerJson } from '../core/testing/wordTokenizer.ts'
import type { AnalyseSaeRequest, AnalysisProgressResponse } from './analysisProtocol.ts'
import { AnalysisSession } from './analysisSession.ts'
import { ModelSession } from './modelSession.ts'
import type { RequestId, WorkerResponse } from './protocol.ts'
import { SaeSession } from './saeSession.ts'

const WORDS = ['<eos>', 'the', 'cat', 'dog', 'sat', 'ran', 'on', 'mat', 'rug', '.']
const tokenizerJson = wordLevelTokenizerJson(WORDS)
const D_MODEL = 8
const HOOK = hookName.residPost(0)
const TEXT = ['the cat sat on the mat .', 'the dog ran on the rug .', 'the cat ran .', 'the dog sat on the mat .', 'the cat sat on the rug . the dog ran .'].join('\n')

let dir: string
let nextId = 1
const rid = () => nextId++ as RequestId

function saeConfig(dSae: number): SaeConfig {
  const config = defaultSaeConfig('standard', D_MODEL, dSae)
  return { ...config, metadata: { ...config.metadata, hookName: HOOK, prependBos: true, contextSize: 12 } }
}

function saeArrays(seed: number, dSae: number) {
  return {
    wEnc: randomArray(D_MODEL * dSae, seed, 0.5),
    wDec: randomArray(dSae * D_MODEL, seed + 1, 0.5),
    bEnc: randomArray(dSae, seed + 2, 0.2, -0.05), // some features fire rarely or never
    bDec: randomArray(D_MODEL, seed + 3, 0.1),
    threshold: null,
  }
}

async function writeFolder(folder: string, files: Record<string, string | Uint8Array>) {
  await mkdir(folder, { recursive: true })
  for (const [name, data] of Object.entries(files)) await writeFile(join(folder, name), data)
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monoscope-analysis-session-'))
  const tiny = makeTinyGpt2({ seed: 4, nLayers: 1, dModel: D_MODEL, nHeads: 2, vocab: WORDS.length, nCtx: 16 })
  const weights = Object.fromEntries([...tiny.tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data }]))
  await writeFolder(dir, {
    'config.json': JSON.stringify({ ...tiny.configJson, bos_token_id: 0, eos_token_id: 0 }),
    'model.safetensors': writeSafetensors(weights),
    'tokenizer.json': JSON.stringify(tokenizerJson),
  })
  await writeFolder(join(dir, 'sae'), saeLensFiles(saeConfig(40), saeArrays(1, 40)))
  await writeFolder(join(dir, 'small'), saeLensFiles(saeConfig(16), saeArrays(11, 16)))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('AnalysisSession', () => {
  const models = new ModelSession()
  const saes = new SaeSession(models)
  const analysis = new AnalysisSession(models, saes)
  const request = (over: Partial<AnalyseSaeRequest> = {}): AnalyseSaeRequest => ({
    type: 'analyseSae',
    requestId: rid(),
    saeId: 'user',
    corpus: { kind: 'text', name: 'pets.txt', text: TEXT },
    tokens: 300,
    neighbourSaeIds: ['small'],
    map: true,
    ...over,
  })

  beforeAll(async () => {
    await models.load({ type: 'loadModel', requestId: rid(), source: dir, backend: 'cpu' }, () => {})
    await saes.load({ type: 'loadSae', requestId: rid(), id: 'user', spec: { kind: 'source', source: dir, subfolder: 'sae' } }, () => {})
    await saes.load({ type: 'loadSae', requestId: rid(), id: 'small', spec: { kind: 'source', source: dir, subfolder: 'small' } }, () => {})
  })

  it('gives every feature a row whose density and max activation match a direct computation', async () => {
    const events: WorkerResponse[] = []
    const reply = await analysis.analyse(request(), (e) => events.push(e))
    const { summary, shards, map } = reply.analysis
    expect(summary.sae.id).toBe('user')
    expect(summary.features).toHaveLength(40)
    expect(shards.flat().map((f) => f.index)).toEqual(Array.from({ length: 40 }, (_, i) => i))
    expect(summary.corpus.description).toBe('text:pets.txt')

    // The reference: the same windows through the model and a separately built SAE, every analysed position.
    const expected = await models.useModel(async ({ model, tokenizer }) => {
      const sae = Sae.fromArrays(saeConfig(40), saeArrays(1, 40))
      const corpus = analysisCorpus(model, tokenizer, sae, { kind: 'lines', name: 'pets.txt', lines: TEXT.split('\n') }, 300)
      const cache = await model.collectActivations(corpus.windows, [HOOK])
      const f = tf.tidy(() => {
        const acts = cache.get(HOOK)!.slice([0, 1, 0], [-1, -1, -1]) // [windows, pos − BOS, dModel]
        return sae.featureActsScaled(acts.reshape([-1, D_MODEL])) // [tokens, dSae]
      })
      tf.dispose([...cache.values()])
      const rows = f.arraySync() as number[][]
      f.dispose()
      sae.dispose()
      return rows
    })
    expect(summary.corpus.tokens).toBe(expected.length)
    let dead = 0
    for (let j = 0; j < 40; j++) {
      const column = expected.map((row) => row[j]!)
      const density = column.filter((v) => v > 0).length / column.length
      expect(summary.features[j]!.density).toBeCloseTo(density, 6)
      expect(summary.features[j]!.max_act).toBeCloseTo(Math.max(0, ...column), 3)
      if (density === 0) dead++
    }
    expect(dead).toBeLessThan(40) // the check above compared real activity, not forty zeros

    // Neighbours in the other SAE on the same hook; a map of this SAE's 40 directions.
    expect(shards[0]![0]!.neighbours.map((n) => n.sae_id)).toContain('small')
    expect(map!.saes).toEqual([{ id: 'user', d_sae: 40 }])
    expect(map!.points.x).toHaveLength(40)
    expect(map!.points.x.every(Number.isFinite)).toBe(true)

    const progress = events.filter((e): e is AnalysisProgressResponse => e.type === 'analysisProgress')
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort((a, b) => a - b))
    expect(progress.at(-1)!.fraction).toBe(1)
    expect(progress.some((p) => p.stage === 'map')).toBe(true)
  })

  it('gives the same dashboards and map for the same request, and leaks no tensors', async () => {
    const a = await analysis.analyse(request(), () => {})
    const before = tf.memory().numTensors
    const b = await analysis.analyse(request(), () => {})
    expect(tf.memory().numTensors).toBe(before)
    expect(b.analysis.summary).toEqual(a.analysis.summary)
    expect(b.analysis.map).toEqual(a.analysis.map)
    const noMap = await analysis.analyse(request({ map: false, neighbourSaeIds: [] }), () => {})
    expect(noMap.analysis.map).toBeNull()
    expect(noMap.analysis.shards[0]![0]!.neighbours.every((n) => n.sae_id === 'user')).toBe(true)
  })

  it('stops when the shared stop names it, with CANCELLED, and the session keeps working', async () => {
    const r = request({ tokens: 5000 })
    const pending = analysis.analyse(r, () => {}).catch((e: unknown) => e)
    analysis.stop(r.requestId)
    expect(serializeError(await pending).code).toBe('CANCELLED')
    analysis.stop(r.requestId) // already gone: ignored
    expect((await analysis.analyse(request({ map: false }), () => {})).analysis.summary.features).toHaveLength(40)
  })

  it('refuses bad requests with clear messages', async () => {
    const code = async (over: Partial<AnalyseSaeRequest>) => serializeError(await analysis.analyse(request(over), () => {}).catch((e: unknown) => e))
    expect((await code({ tokens: 10 })).message).toMatch(/between 256 and 200000/)
    expect((await code({ saeId: 'nope' })).code).toBe('INVALID_ARGUMENT')
    expect((await code({ corpus: { kind: 'world', seed: 1 } })).message).toMatch(/not TinyWorld/)
    expect((await code({ corpus: { kind: 'text', name: 'empty.txt', text: '\n  \n' } })).message).toMatch(/empty.txt has no non-empty lines/)
  })
})
