// The inspector's "Why this token?" in the store: it explains the ids the inspector showed (not whatever the text box
// now says), a slower older reply never overwrites a newer one, an error lands in `why`, and a new inspection of
// other text closes the explanation.
import { describe, expect, it } from 'vitest'
import { createAppStore } from './appStore.ts'
import { createExplorerActions } from './explorerActions.ts'
import type { SaeActions } from './saeActions.ts'
import { WorkerRequestError } from '../workers/client.ts'
import type { AttributionResponse, PromptFeaturesResponse } from '../workers/saeProtocol.ts'
import type { PromptInput } from '../workers/protocol.ts'

const inspected = (ids: number[]): PromptFeaturesResponse => ({ type: 'promptFeatures', requestId: 1 as never, saeId: 's', hookName: 'h', ids, pieces: ids.map(String), addedBos: true, tokens: ids.map(() => ({ indices: [], values: [] })), position: null, active: null, numTensors: 0 })
const answer = (position: number): AttributionResponse => ({ type: 'attribution', requestId: 1 as never, steered: false, saeId: 's', hookName: 'h', ids: [0, 5, 6, 7], pieces: [], addedBos: true, position, token: 7, logit: position, features: [], overlap: { k: 0, attribution: 0, activation: 0 }, errorAttribution: 0, biasAttribution: 0, attributionUnavailable: null, numTensors: 0 })

function setup() {
  const store = createAppStore()
  const asked: { prompt: PromptInput; position: number }[] = []
  const pending: ((r: AttributionResponse | Error) => void)[] = []
  let nextInspect = inspected([0, 5, 6, 7])
  const saes = {
    encodePrompt: async (_: string, prompt: PromptInput, o: { position?: number | null } = {}) => {
      // As the worker: ids are read as given, with a BOS (0) first when they lack one.
      if (prompt.kind === 'ids') return { ...inspected(prompt.ids[0] === 0 ? prompt.ids : [0, ...prompt.ids]), addedBos: prompt.ids[0] !== 0, position: o.position ?? null }
      return nextInspect
    },
    attribute: (_: string, prompt: PromptInput, position: number) => {
      asked.push({ prompt, position })
      return new Promise<AttributionResponse>((resolve, reject) => pending.push((r) => (r instanceof Error ? reject(r) : resolve(r))))
    },
  } as unknown as SaeActions
  store.getState().saeLoadSucceeded({ id: 's', architecture: 'standard', dIn: 4, dSae: 8, hookName: 'h', k: null, source: 's', hasSparsity: false })
  const actions = createExplorerActions(store, { saes, pageUrl: 'http://app.test/', fetch: (async () => new Response('{}')) as typeof fetch })
  return { store, actions, asked, pending, setNext: (r: PromptFeaturesResponse) => (nextInspect = r) }
}

describe('explainSequence', () => {
  it('inspects the exact generated ids, shifts the position past an added BOS, and explains that token', async () => {
    const { store, actions, asked, pending } = setup()
    const done = actions.explainSequence([5, 6, 7, 8], 2, 'a b c d')
    await new Promise((r) => setTimeout(r, 0))
    expect(asked).toEqual([{ prompt: { kind: 'ids', ids: [0, 5, 6, 7, 8] }, position: 3 }])
    pending[0]!(answer(3))
    await done
    const inspector = store.getState().explorer.inspector
    expect(inspector).toMatchObject({ text: 'a b c d', ids: [5, 6, 7, 8], status: 'ready', result: { ids: [0, 5, 6, 7, 8], position: 3 } })
    expect(inspector.why).toMatchObject({ status: 'ready', position: 3 })
    // Editing the text goes back to reading text.
    actions.setInspectorText('other')
    expect(store.getState().explorer.inspector.ids).toBeNull()
  })
})

describe('explainToken', () => {
  it('explains the inspected ids; the newest request wins; errors land in why; new text closes it', async () => {
    const { store, actions, asked, pending, setNext } = setup()
    await actions.inspect()
    actions.setInspectorText('something else entirely')
    const first = actions.explainToken(2)
    const second = actions.explainToken(3)
    expect(asked.map((a) => a.prompt)).toEqual([{ kind: 'ids', ids: [0, 5, 6, 7] }, { kind: 'ids', ids: [0, 5, 6, 7] }])
    expect(store.getState().explorer.inspector.why).toMatchObject({ status: 'running', position: 3 })
    pending[1]!(answer(3))
    await second
    pending[0]!(answer(2))
    await first
    expect(store.getState().explorer.inspector.why).toMatchObject({ status: 'ready', position: 3, result: { logit: 3 } })

    // Picking another token of the same text keeps the explanation; inspecting other text closes it.
    await actions.inspect(1)
    expect(store.getState().explorer.inspector.why.status).toBe('ready')
    setNext(inspected([0, 9]))
    await actions.inspect()
    expect(store.getState().explorer.inspector.why.status).toBe('idle')

    await actions.inspect()
    const failing = actions.explainToken(1)
    pending[2]!(new WorkerRequestError('INVALID_ARGUMENT', 'Token 1 cannot be explained', 'attribute'))
    await failing
    expect(store.getState().explorer.inspector.why).toMatchObject({ status: 'error', error: { code: 'INVALID_ARGUMENT', message: 'Token 1 cannot be explained' } })
    actions.closeWhy()
    expect(store.getState().explorer.inspector.why.status).toBe('idle')
  })
})
