// A tiny GPT-2 with a word-level tokenizer and a standard SAE at blocks.0.hook_resid_post, written to a folder, for
// tests that drive the worker sessions in Node. Feature DEAD_FEATURE has an all-zero decoder row.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeSafetensors } from '../../core/formats/safetensors.ts'
import { hookName } from '../../core/model/hookNames.ts'
import { defaultSaeConfig, saeLensFiles, type SaeConfig } from '../../core/sae/index.ts'
import { randomArray } from '../../core/sae/testing/random.ts'
import type { ShareState } from '../../core/steering/shareState.ts'
import { makeTinyGpt2 } from '../../core/testing/tinyModel.ts'
import { wordLevelTokenizerJson } from '../../core/testing/wordTokenizer.ts'
import type { RequestId } from '../protocol.ts'

export const FIXTURE_WORDS = ['<eos>', 'the', 'cat', 'sat', 'on', 'mat', 'dog', 'ran', '.']
const D_MODEL = 8
const D_SAE = 24
export const DEAD_FEATURE = 5

function saeConfig(): SaeConfig {
  const config = defaultSaeConfig('standard', D_MODEL, D_SAE)
  return { ...config, metadata: { ...config.metadata, hookName: hookName.residPost(0), prependBos: true } }
}

/** Writes config.json, model.safetensors, tokenizer.json and sae/ (SAELens layout) into `dir`. */
export async function writeSessionFixture(dir: string): Promise<void> {
  const tiny = makeTinyGpt2({ seed: 4, nLayers: 1, dModel: D_MODEL, nHeads: 2, vocab: FIXTURE_WORDS.length, nCtx: 32 })
  const weights = Object.fromEntries([...tiny.tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data }]))
  await writeFile(join(dir, 'config.json'), JSON.stringify({ ...tiny.configJson, bos_token_id: 0, eos_token_id: 0 }))
  await writeFile(join(dir, 'model.safetensors'), writeSafetensors(weights))
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(wordLevelTokenizerJson(FIXTURE_WORDS)))
  const wDec = randomArray(D_SAE * D_MODEL, 2, 0.5)
  wDec.fill(0, DEAD_FEATURE * D_MODEL, (DEAD_FEATURE + 1) * D_MODEL)
  const arrays = { wEnc: randomArray(D_MODEL * D_SAE, 1, 0.5), wDec, bEnc: randomArray(D_SAE, 3, 0.1, 0.3), bDec: randomArray(D_MODEL, 4, 0.1), threshold: null }
  await mkdir(join(dir, 'sae'))
  for (const [name, data] of Object.entries(saeLensFiles(saeConfig(), arrays))) await writeFile(join(dir, 'sae', name), data)
}

/** A greedy 4-token steering demo on the fixture in `dir` (its SAE as 'user'). */
export function fixtureShare(dir: string, interventions: ShareState['interventions']): ShareState {
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

let nextId = 1
/** A fresh request id. */
export const requestId = (): RequestId => nextId++ as RequestId
