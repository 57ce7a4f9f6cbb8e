// Hub sources against a local server in the Hub's URL layout: revisions, subfolders, Hub errors, env var and cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SourceNotFoundError, SourceSpecError } from '../errors.ts'
import { HUB_CACHE_NAME } from './hubCache.ts'
import { parseHubSpec } from './hubSpec.ts'
import { createHubSource, HUB_ENDPOINT_ENV } from './hubSource.ts'
import { resolveSource } from './resolveSource.ts'
import { startHubServer, type HubServer } from './testing/hubServer.ts'
import type { ProgressEvent } from './types.ts'

const weights = Uint8Array.from({ length: 40_000 }, (_, i) => i % 256)

/** Just enough Cache Storage for the hub cache, recording what it stored. */
function fakeCacheStorage() {
  const store = new Map<string, Uint8Array>()
  const opened: string[] = []
  const cache = {
    async match(url: string) {
      const bytes = store.get(url)
      return bytes ? new Response(bytes.slice(), { headers: { 'content-length': String(bytes.length) } }) : undefined
    },
    async put(url: string, response: Response) {
      store.set(url, new Uint8Array(await response.arrayBuffer()))
    },
  }
  const storage = { open: async (name: string) => (opened.push(name), cache) } as unknown as CacheStorage
  return { storage, store, opened }
}

describe('hub sources', () => {
  let server: HubServer
  beforeAll(async () => {
    server = await startHubServer(
      {
        'monoscope/tiny/config.json': '{"rev": "main"}',
        'monoscope/tiny/model.safetensors': weights,
        'monoscope/tiny@v1/config.json': '{"rev": "v1"}',
        'monoscope/tiny@refs/pr/1/config.json': '{"rev": "pr1"}',
        'monoscope/saes/blocks.2.hook_resid_post/cfg.json': '{"d_sae": 16}',
        'gpt2/config.json': '{"legacy": true}',
      },
      { chunkSize: 4096, redirectLfs: true },
    )
  })
  afterAll(() => server.close())

  const paths = () => server.requests.map((r) => r.path)

  it('fetches from /{owner}/{name}/resolve/main/{file} by default', async () => {
    const source = resolveSource('hf:monoscope/tiny', { hubEndpoint: server.url })
    expect(source.kind).toBe('hub')
    expect(source.description).toBe('hf:monoscope/tiny@main')
    expect(JSON.parse(await source.fetchText('config.json'))).toEqual({ rev: 'main' })
    expect(paths()).toContain('/monoscope/tiny/resolve/main/config.json')
    expect(await resolveSource('hf:gpt2', { hubEndpoint: server.url }).fetchText('config.json')).toBe('{"legacy": true}')
  })

  it('puts the revision in the URL, percent-encoding slashes in it', async () => {
    expect(await resolveSource('hf:monoscope/tiny@v1', { hubEndpoint: server.url }).fetchText('config.json')).toBe('{"rev": "v1"}')
    expect(paths()).toContain('/monoscope/tiny/resolve/v1/config.json')
    expect(await resolveSource('hf:monoscope/tiny@refs/pr/1', { hubEndpoint: `${server.url}/` }).fetchText('config.json')).toBe('{"rev": "pr1"}')
    expect(paths()).toContain('/monoscope/tiny/resolve/refs%2Fpr%2F1/config.json')
  })

  it('follows the Hub redirect for LFS files and reports progress to the end', async () => {
    const events: ProgressEvent[] = []
    const bytes = await resolveSource('hf:monoscope/tiny', { hubEndpoint: server.url }).fetchBytes('model.safetensors', { onProgress: (e) => events.push(e) })
    expect(bytes).toEqual(weights)
    expect(paths().some((p) => p.startsWith('/__lfs/'))).toBe(true)
    for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThanOrEqual(events[i - 1]!.loaded)
    expect(events.at(-1)).toEqual({ file: 'model.safetensors', loaded: weights.length, total: weights.length })
  })

  it('reads a subfolder, as SAELens repos need', async () => {
    const sae = createHubSource({ repoId: 'monoscope/saes' }, { endpoint: server.url }).subfolder('blocks.2.hook_resid_post')
    expect(sae.description).toBe('hf:monoscope/saes@main/blocks.2.hook_resid_post')
    expect(JSON.parse(await sae.fetchText('cfg.json'))).toEqual({ d_sae: 16 })
    expect(await sae.exists('cfg.json')).toBe(true)
    expect(await sae.exists('sparsity.safetensors')).toBe(false)
    expect(paths()).toContain('/monoscope/saes/resolve/main/blocks.2.hook_resid_post/cfg.json')
  })

  it('turns missing files, revisions and repos into SourceNotFoundError naming file and URL', async () => {
    const missing = (spec: string, file: string): Promise<Error> =>
      resolveSource(spec, { hubEndpoint: server.url })
        .fetchBytes(file)
        .then(() => Promise.reject(new Error('expected a rejection')), (e: unknown) => e as Error)

    const file = await missing('hf:monoscope/tiny', 'tokenizer.json')
    expect(file).toBeInstanceOf(SourceNotFoundError)
    expect(file.message).toContain('tokenizer.json was not found in hf:monoscope/tiny@main')
    expect(file.message).toContain(`${server.url}/monoscope/tiny/resolve/main/tokenizer.json`)
    expect(file.message).toContain('EntryNotFound')

    expect((await missing('hf:monoscope/tiny@nope', 'config.json')).message).toContain('RevisionNotFound')
    const repo = await missing('hf:nobody/nothing', 'config.json')
    expect(repo).toBeInstanceOf(SourceNotFoundError)
    expect(repo.message).toMatch(/HTTP 401, RepoNotFound\): the repository may not exist/)
  })

  it('rejects malformed specs with SourceSpecError', () => {
    for (const spec of ['hf:', 'hf:@main', 'hf:a/b/c', 'hf:bad--name/x', 'hf:owner/na me', 'hf:owner/name@', 'hf:-owner/name', 'hf:owner/name.', 'hf:owner/name@a b']) {
      expect(() => resolveSource(spec), spec).toThrow(SourceSpecError)
    }
    expect(() => resolveSource('hf:owner/name', { hubEndpoint: 'nope' })).toThrow(SourceSpecError)
    expect(parseHubSpec('hf:EleutherAI/pythia-70m-deduped@step3000')).toEqual({ repoId: 'EleutherAI/pythia-70m-deduped', revision: 'step3000' })
  })

  it(`uses $${HUB_ENDPOINT_ENV} when no endpoint option is given`, async () => {
    const before = process.env[HUB_ENDPOINT_ENV]
    process.env[HUB_ENDPOINT_ENV] = server.url
    try {
      expect(await resolveSource('hf:monoscope/tiny@v1').fetchText('config.json')).toBe('{"rev": "v1"}')
    } finally {
      if (before === undefined) delete process.env[HUB_ENDPOINT_ENV]
      else process.env[HUB_ENDPOINT_ENV] = before
    }
  })

  it('serves repeat downloads from Cache Storage keyed by the full URL, unless cache is none', async () => {
    const { storage, store, opened } = fakeCacheStorage()
    const source = createHubSource({ repoId: 'monoscope/tiny' }, { endpoint: server.url, cacheStorage: storage })
    const url = `${server.url}/monoscope/tiny/resolve/main/model.safetensors`
    const hits = () => server.requests.filter((r) => r.path === '/monoscope/tiny/resolve/main/model.safetensors').length

    const first = hits()
    expect(await source.fetchBytes('model.safetensors')).toEqual(weights)
    expect(hits()).toBe(first + 1)
    expect(opened).toEqual([HUB_CACHE_NAME])
    expect([...store.keys()]).toEqual([url])

    const events: ProgressEvent[] = []
    expect(await source.fetchBytes('model.safetensors', { onProgress: (e) => events.push(e) })).toEqual(weights)
    expect(await source.exists('model.safetensors')).toBe(true)
    expect(hits()).toBe(first + 1) // neither touched the network
    expect(events.at(-1)).toEqual({ file: 'model.safetensors', loaded: weights.length, total: weights.length })

    const uncached = createHubSource({ repoId: 'monoscope/tiny' }, { endpoint: server.url, cacheStorage: storage, cache: 'none' })
    await uncached.fetchBytes('model.safetensors')
    expect(hits()).toBe(first + 2)
  })
})
