// Downloads against a hostile local server (issue 14): a server that never answers, one that stalls or drips a
// byte at a time, 503s that pass and one that does not, a dropped connection, a body claiming 10¹² bytes, and a
// gzip-encoded body that inflates past the cap. Each ends in bounded time with a typed error naming file and URL,
// or succeeds after retrying. Limits are small here so the test takes seconds; the app's are in INPUT_LIMITS.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CancelledError, SourceNetworkError, SourceNotFoundError } from '../errors.ts'
import { DEFAULT_HTTP_LIMITS, downloadBytes, limitsFor, type HttpLimits, type RequestTarget } from './http.ts'
import type { ProgressEvent } from './types.ts'

const body = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 31) % 256)
// Generous timeouts where a test is not about them, so a loaded machine cannot turn a slow answer into a retry;
// short ones (`tight`) only in the tests of timeouts themselves.
const limits: HttpLimits = { connectTimeoutMs: 20_000, stallTimeoutMs: 20_000, retries: 2, retryBaseMs: 10, maxBytes: 1_000_000 }
const tight: HttpLimits = { ...limits, connectTimeoutMs: 300, stallTimeoutMs: 300 }

let server: http.Server
let base = ''
const hits = new Map<string, number>()

let gzipBomb = new Uint8Array()

beforeAll(async () => {
  gzipBomb = gzipSync(new Uint8Array(50_000_000)) // 50 KB that inflates to 50 MB
  server = http.createServer((req, res) => {
    const path = req.url ?? '/'
    const hit = (hits.get(path) ?? 0) + 1
    hits.set(path, hit)
    const ok = () => res.writeHead(200, { 'content-length': String(body.length) }).end(body)
    switch (path) {
      case '/ok':
        return ok()
      case '/no-answer':
        return // never writes headers
      case '/stall': // headers and half the body, then silence
        res.writeHead(200, { 'content-length': String(body.length) })
        return void res.write(body.subarray(0, 10_000))
      case '/drip': {
        // One byte every 50 ms: never silent for long, but far too slow to finish.
        res.writeHead(200, { 'content-length': String(body.length) })
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(body.subarray(0, 1))), 50)
        return
      }
      case '/flaky': // 503 twice, then the file
        return hit <= 2 ? void res.writeHead(503).end('busy') : ok()
      case '/down':
        return void res.writeHead(503).end('busy')
      case '/drop': // the first connection dies mid-body; the second completes
        if (hit === 1) {
          res.writeHead(200, { 'content-length': String(body.length) })
          res.write(body.subarray(0, 5_000))
          return void setTimeout(() => res.socket?.destroy(), 20)
        }
        return ok()
      case '/huge':
        res.writeHead(200, { 'content-length': String(1e12) })
        return void res.write(body)
      case '/gzip-bomb':
        return void res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(gzipBomb.length) }).end(gzipBomb)
      case '/endless': // no length, never ends
        res.writeHead(200)
        for (let i = 0; i < 100; i++) res.write(body)
        return
      case '/missing':
        return void res.writeHead(404).end('no')
      default:
        return void res.writeHead(500).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const target = (path: string): RequestTarget => ({ file: `file${path.replace(/\//g, '-')}.bin`, url: `${base}${path}`, where: 'the test server' })

async function failure(path: string, opts: { signal?: AbortSignal } = {}, use: HttpLimits = limits): Promise<Error> {
  const err = await downloadBytes(target(path), opts, use).then(
    () => null,
    (e: unknown) => e as Error,
  )
  expect(err).not.toBeNull()
  return err!
}

describe('downloadBytes', () => {
  it('downloads a file, with progress ending at its size', async () => {
    const events: ProgressEvent[] = []
    expect(await downloadBytes(target('/ok'), { onProgress: (e) => events.push(e) }, limits)).toEqual(body)
    expect(events.at(-1)).toEqual({ file: 'file-ok.bin', loaded: body.length, total: body.length })
  })

  it('gives up on a server that never answers, after its retries', async () => {
    const err = await failure('/no-answer', {}, tight)
    expect(err).toBeInstanceOf(SourceNetworkError)
    expect(err.message).toBe(`Could not download file-no-answer.bin from the test server (${base}/no-answer): no answer within 0.3 s (gave up after 3 attempts)`)
    expect(hits.get('/no-answer')).toBe(3)
  })

  it('treats a stalled body and a slow drip alike, naming the file and URL', async () => {
    for (const path of ['/stall', '/drip']) {
      const err = await failure(path, {}, tight)
      expect(err).toBeInstanceOf(SourceNetworkError)
      expect(err.message).toMatch(new RegExp(`^Download of file-${path.slice(1)}\\.bin from the test server stalled: under 1024 bytes in 0\\.3 s after \\d+ bytes \\(${base}${path}\\) \\(gave up after 3 attempts\\)$`))
    }
  })

  it('retries 503s with backoff and succeeds; gives up after the retries when the server stays down', async () => {
    expect(await downloadBytes(target('/flaky'), {}, limits)).toEqual(body)
    expect(hits.get('/flaky')).toBe(3)
    const err = await failure('/down')
    expect(err).toBeInstanceOf(SourceNetworkError)
    expect(err.message).toMatch(/HTTP 503.*\(gave up after 3 attempts\)$/)
    expect(hits.get('/down')).toBe(3)
  })

  it('starts again after a dropped connection, and progress never goes backwards', async () => {
    const events: ProgressEvent[] = []
    expect(await downloadBytes(target('/drop'), { onProgress: (e) => events.push(e) }, limits)).toEqual(body)
    expect(hits.get('/drop')).toBe(2)
    for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThanOrEqual(events[i - 1]!.loaded)
  })

  it('refuses a body that declares more than the cap before reading it, and one that brings more', async () => {
    const huge = await failure('/huge')
    expect(huge).toBeInstanceOf(SourceNetworkError)
    expect(huge.message).toBe(`file-huge.bin from the test server is 1000000000000 bytes, over the 1000000-byte limit for this file (${base}/huge)`)
    for (const path of ['/gzip-bomb', '/endless']) {
      const err = await failure(path)
      expect(err).toBeInstanceOf(SourceNetworkError)
      expect(err.message).toMatch(/is over 1000000 bytes, over the 1000000-byte limit for this file/)
    }
  })

  it('does not retry a 404, and a cancel during the backoff is a cancel', async () => {
    expect(await failure('/missing')).toBeInstanceOf(SourceNotFoundError)
    expect(hits.get('/missing')).toBe(1)
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    expect(await failure('/no-answer', { signal: controller.signal }, tight)).toBeInstanceOf(CancelledError)
  })

  it('caps JSON files far below weights', () => {
    expect(limitsFor('config.json').maxBytes).toBeLessThan(limitsFor('model.safetensors').maxBytes)
    expect(limitsFor('model.safetensors')).toBe(DEFAULT_HTTP_LIMITS)
  })
})
