// The index's SAEs follow the loaded model: loaded beside TinyWorld (or a model with its vocabulary and width), left
// out beside any other model with the reason shown, and unloaded when the user switches to a model they do not read.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseSaeIndex } from '../core/analysis/saeIndex.ts'
import { createAppStore } from './appStore.ts'
import { createExplorerActions } from './explorerActions.ts'
import type { LoadedModel } from './modelSlice.ts'
import type { SaeActions, SaeInput } from './saeActions.ts'

const PUBLIC = path.resolve(import.meta.dirname, '../../public')
const INDEX = parseSaeIndex(JSON.parse(readFileSync(path.join(PUBLIC, 'saes/tinyworld/index.json'), 'utf8')))
const HOOK = INDEX.saes[0]!.hook_name

function model(over: { input?: string; speaksTinyWorld?: boolean; dModel?: number; hookNames?: string[] } = {}): LoadedModel {
  return {
    input: over.input ?? 'models/tinyworld',
    summary: {
      source: 'http://x/m',
      family: 'gpt2',
      engine: { kind: 'tfjs', executionProvider: 'wasm', weightsFile: 'model.safetensors' },
      nLayers: 4,
      dModel: over.dModel ?? 128,
      nCtx: 256,
      vocabSize: 986,
      bosTokenId: 0,
      eosTokenId: 0,
      hasTokenizer: true,
      speaksTinyWorld: over.speaksTinyWorld ?? true,
    },
    backend: { name: 'wasm', detail: 'WASM' },
    hookNames: (over.hookNames ?? ['hook_embed', HOOK]) as LoadedModel['hookNames'],
    loadMs: 1,
  }
}

function setup() {
  const store = createAppStore()
  const calls: string[] = []
  // The worker stand-in: every committed SAE is 128 wide, as TinyWorld's residual stream.
  const saes = {
    async loadSae(input: SaeInput, id?: string) {
      calls.push(`load ${id}`)
      const summary = { id: id!, architecture: 'standard' as const, dIn: 128, dSae: 1024, hookName: HOOK, k: null, source: input.kind === 'source' ? input.input : 'files', hasSparsity: false }
      store.getState().saeLoadSucceeded(summary)
      return summary
    },
    async unloadSae(id: string) {
      calls.push(`unload ${id}`)
      store.getState().saeUnloaded(id)
    },
  } as unknown as SaeActions
  const actions = createExplorerActions(store, { saes, pageUrl: 'http://app.test/', fetch: (async () => new Response('{}')) as typeof fetch })
  store.getState().setIndex({ status: 'ready', data: INDEX })
  return { store, actions, calls }
}

const ids = INDEX.saes.map((s) => s.id)

describe('index SAEs beside the loaded model', () => {
  it('loads every index SAE beside TinyWorld and beside a model speaking its vocabulary (an ONNX export)', async () => {
    for (const m of [model(), model({ input: 'http://hub/tinyworld-onnx' })]) {
      const { store, actions, calls } = setup()
      store.getState().loadSucceeded(m)
      await actions.loadIndexSaes()
      expect(calls).toEqual(ids.map((id) => `load ${id}`))
      expect(Object.keys(store.getState().saes.loaded)).toEqual(ids)
      expect(store.getState().explorer.indexSaesSkipped).toBeNull()
    }
  })

  it('leaves them out beside a model with another vocabulary, and says why', async () => {
    const { store, actions, calls } = setup()
    store.getState().loadSucceeded(model({ input: 'hf:someone/tiny-llama', speaksTinyWorld: false }))
    await actions.loadIndexSaes()
    expect(calls).toEqual([])
    expect(store.getState().explorer.indexSaesSkipped).toMatch(/vocabulary is not TinyWorld's/)
  })

  it('unloads them when the user switches from TinyWorld to a model they do not read, and loads them again on return', async () => {
    const { store, actions, calls } = setup()
    store.getState().loadSucceeded(model())
    await actions.loadIndexSaes()
    store.getState().loadSucceeded(model({ input: 'hf:someone/tiny-llama', speaksTinyWorld: false }))
    await actions.loadIndexSaes()
    expect(Object.keys(store.getState().saes.loaded)).toEqual([])
    expect(calls.slice(ids.length)).toEqual(ids.map((id) => `unload ${id}`))
    store.getState().loadSucceeded(model())
    await actions.loadIndexSaes()
    expect(Object.keys(store.getState().saes.loaded)).toEqual(ids)
    expect(store.getState().explorer.indexSaesSkipped).toBeNull()
  })

  it('leaves them out when the model lacks their hook, or its residual stream has another width', async () => {
    const noHook = setup()
    noHook.store.getState().loadSucceeded(model({ hookNames: ['hook_embed'] }))
    await noHook.actions.loadIndexSaes()
    expect(noHook.calls).toEqual([])
    expect(noHook.store.getState().explorer.indexSaesSkipped).toBe(`this model has no hook ${HOOK}`)

    const wide = setup()
    wide.store.getState().loadSucceeded(model({ dModel: 256 }))
    await wide.actions.loadIndexSaes()
    expect(Object.keys(wide.store.getState().saes.loaded)).toEqual([])
    expect(wide.store.getState().explorer.indexSaesSkipped).toMatch(/128 wide and this model's residual stream is 256/)
  })
})
