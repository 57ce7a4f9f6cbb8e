// URL sources against a local HTTP server: bytes, progress, errors, cancellation and subfolders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CancelledError, SourceNetworkError, SourceNotFoundError, SourceSpecError } from '../errors.ts'
import { startHubServer, type HubServer } from './testing/hubServer.ts'
import type { ProgressEvent } from './types.ts'
import { createUrlSource } from './urlSource.ts'

const big = Uint8Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251)

const expectProgressWellFormed = (events: ProgressEvent[], size: number) => {
  expect(events.length).toBeGreaterThan(2)
  for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThanOrEqual(events[i - 1]!.loaded)
  expect(events.at(-1)).toEqual({ file: 'data.bin', loaded: size, total: size })
}

describe('createUrlSource', () => {
  let server: HubServer
  beforeAll(async () => {
    server = await startHubServer(
      { 'models/tiny/data.bin': big, 'models/tiny/config.json': '{"n_layer": 2}', 'models/tiny/sae/cfg.json': '{"d_sae": 8}', 'models/tiny/boom': 'x' },
      { chunkSize: 4096 },
    )
  })
  afterAll(() => server.close())

  it('fetches bytes and text relative to the base URL, with or without a trailing slash', async () => {
    const source = createUrlSource(`${server.url}/models/tiny`)
    expect(source.kind).toBe('url')
    expect(source.description).toBe(`${server.url}/models/tiny`)
    expect(await source.fetchBytes('data.bin')).toEqual(big)
    expect(JSON.parse(await createUrlSource(`${server.url}/models/tiny/`).fetchText('config.json'))).toEqual({ n_layer: 2 })
  })

  it('reports monotonic progress that ends at the total', async () => {
    const events: ProgressEvent[] = []
    await createUrlSource(`${server.url}/models/tiny`).fetchBytes('data.bin', { onProgress: (e) => events.push(e) })
    expectProgressWellFormed(events, big.length)
    expect(events.every((e) => e.total === big.length)).toBe(true)
  })

  it('reports progress without content-length, learning the total at the end', async () => {
    const quiet = await startHubServer({ 'data.bin': big }, { chunkSize: 4096, contentLength: false })
    try {
      const events: ProgressEvent[] = []
      expect(await createUrlSource(quiet.url).fetchBytes('data.bin', { onProgress: (e) => events.push(e) })).toEqual(big)
      expectProgressWellFormed(events, big.length)
      expect(events[0]!.total).toBeNull()
    } finally {
      await quiet.close()
    }
  })

  it('reads a subfolder', async () => {
    const sae = createUrlSource(`${server.url}/models`).subfolder('tiny').subfolder('./sae/')
    expect(sae.description).toBe(`${server.url}/models/tiny/sae`)
    expect(await sae.fetchText('cfg.json')).toBe('{"d_sae": 8}')
  })

  it('answers exists() from the status', async () => {
    const source = createUrlSource(`${server.url}/models/tiny`)
    expect(await source.exists('config.json')).toBe(true)
    expect(await source.exists('missing.json')).toBe(false)
  })

  it('turns a 404 into SourceNotFoundError naming the file and the URL', async () => {
    const err = await createUrlSource(`${server.url}/models/tiny`).fetchBytes('missing.json').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SourceNotFoundError)
    expect((err as Error).message).toContain('missing.json')
    expect((err as Error).message).toContain(`${server.url}/models/tiny/missing.json`)
  })

  it('turns a server error into SourceNetworkError', async () => {
    const failing = await startHubServer({ a: 'x' }, { status: { '/a': 503 } })
    try {
      await expect(createUrlSource(failing.url).fetchBytes('a')).rejects.toThrow(SourceNetworkError)
      await expect(createUrlSource(failing.url).fetchBytes('a')).rejects.toThrow(/HTTP 503/)
    } finally {
      await failing.close()
    }
  })

  it('turns a refused connection into SourceNetworkError', async () => {
    const gone = await startHubServer({})
    await gone.close()
    const err = await createUrlSource(gone.url).fetchBytes('config.json').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SourceNetworkError)
    expect((err as Error).message).toContain(`${gone.url}/config.json`)
  })

  it('rejects with CancelledError when aborted before or during a download', async () => {
    const source = createUrlSource(`${server.url}/models/tiny`)
    await expect(source.fetchBytes('data.bin', { signal: AbortSignal.abort() })).rejects.toThrow(CancelledError)

    const slow = await startHubServer({ 'data.bin': big }, { chunkSize: 1024, chunkDelayMs: 20 })
    try {
      const controller = new AbortController()
      const onProgress = (e: ProgressEvent) => {
        if (e.loaded > 0) controller.abort()
      }
      await expect(createUrlSource(slow.url).fetchBytes('data.bin', { signal: controller.signal, onProgress })).rejects.toThrow(CancelledError)
    } finally {
      await slow.close()
    }
  })

  it('rejects bad base URLs and paths that climb out of the source', async () => {
    expect(() => createUrlSource('not a url')).toThrow(SourceSpecError)
    expect(() => createUrlSource('ftp://example.com/x')).toThrow(SourceSpecError)
    const source = createUrlSource(`${server.url}/models/tiny`)
    await expect(source.fetchBytes('../secret')).rejects.toThrow(SourceSpecError)
    expect(() => source.subfolder('/abs')).toThrow(SourceSpecError)
  })
})
