// loadScaling: the index's reports folder gives scaling/scaling.json, validated on arrival; a damaged file, a
// missing one and an index without a reports folder each end in an error entry that says why.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAppStore } from './appStore.ts'
import { createExplorerActions } from './explorerActions.ts'
import type { SaeActions } from './saeActions.ts'

const PUBLIC = path.resolve(import.meta.dirname, '../../public')
const PAGE = 'http://app.test/'
const INDEX = 'saes/tinyworld/index.json'
const SCALING = 'saes/tinyworld/blocks.2.hook_resid_post/scaling/scaling.json'
const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))

const run = { dSae: 256, steps: 128, lr: 1e-3, tokens: 131072, compute: 5e13, loss: 70, mse: 38, sparsity: 32, fvu: 0.3, l0: 30, seconds: 11 }
const sweep = {
  format: 'monoscope.scaling-sweep',
  version: 1,
  settings: { hook: 'blocks.2.hook_resid_post', activations: 'x', architecture: 'standard', l1: 3, batch: 1024, seed: 1, heldOutRows: 32768, lr: 1e-3, dIn: 128, inputScale: 0.5 },
  runs: [run, { ...run, steps: 256, tokens: 262144, compute: 1e14, loss: 63 }],
}

function fetchWith(files: Record<string, Uint8Array | null>): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const rel = String(input).slice(PAGE.length)
    if (rel in files) return files[rel] === null ? new Response('missing', { status: 404 }) : new Response(files[rel] as Uint8Array<ArrayBuffer>)
    try {
      return new Response(readFileSync(path.join(PUBLIC, rel)))
    } catch {
      return new Response('missing', { status: 404 })
    }
  }) as typeof fetch
}

async function scalingAfterLoad(files: Record<string, Uint8Array | null>) {
  const store = createAppStore()
  const actions = createExplorerActions(store, { saes: {} as SaeActions, pageUrl: PAGE, fetch: fetchWith(files) })
  await actions.loadIndex()
  await actions.loadScaling()
  return store.getState().explorer.scaling
}

describe('loadScaling', () => {
  it('loads and validates the sweep the index points at', async () => {
    const scaling = await scalingAfterLoad({ [SCALING]: encode(sweep) })
    expect(scaling?.status).toBe('ready')
    if (scaling?.status === 'ready') expect(scaling.data.runs.map((r) => r.loss)).toEqual([70, 63])
  })

  it('ends in an error entry for a damaged or missing file, or an index with no reports folder', async () => {
    const damaged = await scalingAfterLoad({ [SCALING]: encode({ ...sweep, runs: [{ ...run, loss: 'low' }] }) })
    expect(damaged).toMatchObject({ status: 'error', message: expect.stringMatching(/not a Monoscope scaling sweep: runs\.0\.loss/) })
    expect(await scalingAfterLoad({ [SCALING]: null })).toMatchObject({ status: 'error', code: 'SOURCE_NOT_FOUND' })
    const index = JSON.parse(readFileSync(path.join(PUBLIC, INDEX), 'utf8')) as Record<string, unknown>
    delete index.reports
    expect(await scalingAfterLoad({ [INDEX]: encode(index) })).toMatchObject({ status: 'error', message: expect.stringMatching(/names no reports folder/) })
  })
})
