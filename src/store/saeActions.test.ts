// SAE actions over a fake worker: a load asked for while the model loads waits for it (its tensors must land on
// the model's backend); without a model it fails clearly; a failed load's message survives other SAEs loading.
import { describe, expect, it } from 'vitest'
import type { ModelWorkerClient } from '../workers/client.ts'
import type { SaeSummary } from '../workers/saeProtocol.ts'
import { createAppStore } from './appStore.ts'
import { createSaeActions } from './saeActions.ts'

const MODEL = {
  input: 'models/tinyworld',
  summary: { source: 'http://x/models/tinyworld', family: 'gpt2', engine: { kind: 'tfjs' as const, executionProvider: 'wasm', weightsFile: 'model.safetensors' }, nLayers: 4, dModel: 128, nCtx: 256, vocabSize: 986, bosTokenId: 0, eosTokenId: 0, hasTokenizer: true, speaksTinyWorld: true },
  backend: { name: 'wasm' as const, detail: 'WASM' },
  hookNames: [],
  loadMs: 1,
}

function setup(hubEndpoint?: string) {
  const store = createAppStore()
  const sent: string[] = []
  const specs: unknown[] = []
  const client = {
    loadSae: async (body: { id: string; spec: unknown }) => {
      sent.push(body.id)
      specs.push(body.spec)
      return { type: 'saeLoaded', requestId: 1, sae: { id: body.id, architecture: 'standard', dIn: 128, dSae: 8, hookName: 'h', k: null, source: 's', hasSparsity: false } as SaeSummary, numTensors: 0 }
    },
  } as unknown as ModelWorkerClient
  const actions = createSaeActions(store, { worker: () => client, pageUrl: 'http://x/', hubEndpoint })
  return { store, actions, sent, specs }
}

describe('SAE actions', () => {
  it('waits for a model load in flight before sending the SAE to the worker', async () => {
    const { store, actions, sent } = setup()
    store.getState().loadStarted('models/tinyworld')
    const loading = actions.loadSae({ kind: 'source', input: 'saes/a' }, 'a')
    // Not a sleep: one macrotask turn settles every promise the load could get through without the model.
    await new Promise((r) => setImmediate(r))
    expect(sent).toEqual([]) // still waiting for the model
    store.getState().loadSucceeded(MODEL)
    expect((await loading)?.id).toBe('a')
    expect(sent).toEqual(['a'])
  })

  it('fails clearly without a model, and keeps that message while other SAEs load', async () => {
    const { store, actions, sent } = setup()
    expect(await actions.loadSae({ kind: 'source', input: 'saes/mine' }, 'mine')).toBeNull()
    expect(sent).toEqual([])
    expect(store.getState().saes.lastError).toMatchObject({ id: 'mine', code: 'INVALID_ARGUMENT', message: expect.stringMatching(/Load a model first/) })
    expect(store.getState().errors.at(-1)).toMatchObject({ code: 'INVALID_ARGUMENT', during: 'sae' })

    store.getState().loadSucceeded(MODEL)
    await actions.loadSae({ kind: 'source', input: 'saes/default' }, 'default')
    expect(store.getState().saes.lastError?.id).toBe('mine') // another SAE's success does not hide it
    expect(store.getState().errors).toHaveLength(1)
    await actions.loadSae({ kind: 'source', input: 'saes/mine' }, 'mine')
    expect(store.getState().saes.lastError).toBeNull()
    expect(store.getState().errors).toHaveLength(0)
  })

  it("sends the page's Hub mirror with hf: sources", async () => {
    const { store, actions, specs } = setup('http://mirror.test')
    store.getState().loadSucceeded(MODEL)
    await actions.loadSae({ kind: 'source', input: 'hf:owner/saes', subfolder: 'blocks.0' }, 'x')
    expect(specs).toEqual([{ kind: 'source', source: 'hf:owner/saes', subfolder: 'blocks.0', hubEndpoint: 'http://mirror.test' }])
  })
})
