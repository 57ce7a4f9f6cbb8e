import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CancelledError, InvalidArgumentError, LlmEndpointError } from '../../errors.ts'
import { createChatClient, parseRetryAfter, redact, type ChatClientConfig } from './chatClient.ts'
import { createRateLimiter } from './rateLimiter.ts'
import { startStandInLlmServer, type StandInLlmServer } from './testing/standInLlmServer.ts'

const KEY = 'sk-test-SECRET-0123456789abcdefXYZ'
const hello = [{ role: 'user' as const, content: 'hello' }]

let server: StandInLlmServer
beforeEach(async () => {
  server = await startStandInLlmServer({ apiKey: KEY })
})
afterEach(() => server.close())

const client = (extra: Partial<ChatClientConfig> = {}) => createChatClient({ baseUrl: server.url, model: 'stand-in-1', apiKey: KEY, retryBaseMs: 1, ...extra })
const chatRequests = () => server.requests.filter((r) => r.method === 'POST')

describe('chat client', () => {
  it('posts an OpenAI-style chat request and returns the first choice', async () => {
    expect(await client().complete(hello)).toBe('I am a stand-in for an LLM.')
    const [req] = chatRequests()
    expect(req!.url).toBe('/v1/chat/completions')
    expect(JSON.parse(req!.body)).toEqual({ model: 'stand-in-1', messages: hello, temperature: 0, max_tokens: 1024 })
  })

  it('retries a 429 and a 500, then succeeds', async () => {
    server.failNext([429, 500])
    expect(await client().complete(hello)).toBe('I am a stand-in for an LLM.')
    expect(chatRequests()).toHaveLength(3)
  })

  it('gives up on a persistent 500 after the bounded attempts with a typed error naming URL and status', async () => {
    server.failNext([500, 500, 500, 500, 500])
    const err = await client({ maxAttempts: 4 }).complete(hello).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LlmEndpointError)
    expect((err as LlmEndpointError).status).toBe(500)
    expect((err as Error).message).toContain(`${server.url}/chat/completions`)
    expect((err as Error).message).toContain('HTTP 500')
    expect((err as Error).message).toContain('after 4 attempts')
    expect(chatRequests()).toHaveLength(4)
  })

  it('does not retry what a retry cannot fix (400, 404)', async () => {
    server.failNext([400])
    await expect(client().complete(hello)).rejects.toMatchObject({ code: 'LLM_ENDPOINT', status: 400 })
    expect(chatRequests()).toHaveLength(1)
  })

  it('says the key was refused on 401, without retrying', async () => {
    const err = await client({ apiKey: 'sk-wrong-key-000000000000000000' }).complete(hello).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'LLM_ENDPOINT', status: 401 })
    expect((err as Error).message).toContain('refused the API key')
    expect(chatRequests()).toHaveLength(1)
  })

  it('waits as long as Retry-After asks before the next attempt', async () => {
    const events: string[] = []
    const sleep = async (ms: number) => void events.push(`sleep ${ms} after ${chatRequests().length} request(s)`)
    server.failNext([{ status: 429, retryAfter: '2' }, 503])
    await client({ sleep, retryBaseMs: 1 }).complete(hello)
    // The 429's Retry-After (2 s) wins over the 1 ms backoff; the 503 without one gets the backoff (1–2 ms at attempt 2).
    expect(events[0]).toBe('sleep 2000 after 1 request(s)')
    expect(events[1]).toMatch(/^sleep [12](\.\d+)? after 2 request\(s\)$/)
    expect(chatRequests()).toHaveLength(3)
  })

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000)
    expect(parseRetryAfter('soon')).toBeNull()
    expect(parseRetryAfter(null)).toBeNull()
  })

  it('times out a silent server and retries it, then reports the timeout', async () => {
    server.delayMs = 2_000
    const err = await client({ timeoutMs: 50, maxAttempts: 2 }).complete(hello).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LlmEndpointError)
    expect((err as Error).message).toMatch(/did not answer within 50 ms \(gave up after 2 attempts\)/)
  })

  it('reports an unreachable endpoint as a typed error', async () => {
    const url = server.url
    await server.close()
    server = await startStandInLlmServer()
    const err = await createChatClient({ baseUrl: url, model: 'm', maxAttempts: 2, retryBaseMs: 1 }).complete(hello).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LlmEndpointError)
    expect((err as Error).message).toContain(`Could not reach the LLM endpoint ${url}/chat/completions`)
  })

  it('stops with CancelledError when aborted mid-request', async () => {
    server.delayMs = 10_000 // far beyond the test timeout: only a prompt abort passes
    const controller = new AbortController()
    const pending = client().complete(hello, controller.signal)
    while (chatRequests().length === 0) await new Promise((r) => setTimeout(r, 5))
    controller.abort()
    await expect(pending).rejects.toBeInstanceOf(CancelledError)
  })

  it('refuses a 200 that is not a chat completion, and a wrong path, without retrying', async () => {
    server.failNext([{ status: 200, body: '{"choices": []}' }, { status: 200, body: 'not json' }])
    await expect(client().complete(hello)).rejects.toThrow(/answered HTTP 200 OK but not with a chat completion/)
    await expect(client().complete(hello)).rejects.toThrow(/answered HTTP 200 OK with something other than JSON/)
    const wrongPath = createChatClient({ baseUrl: server.url.replace('/v1', '/nope'), model: 'm', apiKey: KEY })
    await expect(wrongPath.complete(hello)).rejects.toMatchObject({ code: 'LLM_ENDPOINT', status: 404 })
    expect(chatRequests()).toHaveLength(3)
  })

  it('refuses endpoint URLs that carry credentials or are not http(s)', () => {
    for (const baseUrl of ['ftp://x/v1', 'http://u:p@127.0.0.1/v1', 'http://127.0.0.1/v1?key=abc', 'not a url']) {
      expect(() => createChatClient({ baseUrl, model: 'm' })).toThrow(InvalidArgumentError)
    }
    const err = (() => {
      try {
        createChatClient({ baseUrl: `http://127.0.0.1/${KEY}/v1`, model: 'm', apiKey: KEY })
      } catch (e) {
        return e as Error
      }
    })()
    expect(err).toBeInstanceOf(InvalidArgumentError)
    expect(err!.message).not.toContain(KEY)
  })
})

describe('API key handling', () => {
  it('sends the key only in the Authorization header, and never in a URL, message or returned object', async () => {
    // The server echoes the key in its error text: the redact() safety net must still keep it out of the message.
    server.failNext([{ status: 400, body: JSON.stringify({ error: { message: `bad request for key ${KEY}` } }) }, 500])
    const c = client({ maxAttempts: 1 })
    const fail = (e: unknown): Error => e as Error
    const first = await c.complete(hello).then(() => new Error('expected a failure'), fail)
    const second = await c.complete(hello).then(() => new Error('expected a failure'), fail)
    const third = await c.complete(hello)
    const seen = JSON.stringify({ c, first, second, third, messages: [first.message, second.message], stacks: [first.stack, second.stack] })
    expect(seen).not.toContain(KEY)
    expect(first.message).toContain('[redacted]')
    for (const req of chatRequests()) {
      expect(req.url).not.toContain(KEY)
      expect(req.body).not.toContain(KEY)
      expect(req.headers.authorization).toBe(`Bearer ${KEY}`)
      const others = Object.entries(req.headers).filter(([name]) => name !== 'authorization')
      expect(JSON.stringify(others)).not.toContain(KEY)
    }
  })

  it('negative control: the search above does find a key that leaks', () => {
    const leaky = { message: `failed at http://127.0.0.1/v1?key=${KEY}` }
    expect(JSON.stringify(leaky)).toContain(KEY)
    expect(redact(leaky.message, KEY)).not.toContain(KEY)
    expect(redact(`x ${encodeURIComponent('a b&c')} y`, 'a b&c')).toBe('x [redacted] y')
  })
})

describe('rate limiter', () => {
  it('keeps at most `concurrency` tasks in flight', async () => {
    const limiter = createRateLimiter({ concurrency: 2, minIntervalMs: 0 })
    let active = 0
    let most = 0
    const task = async () => {
      active++
      most = Math.max(most, active)
      await new Promise((r) => setTimeout(r, 10))
      active--
    }
    await Promise.all(Array.from({ length: 7 }, () => limiter.run(task)))
    expect(most).toBe(2)
  })

  it('starts tasks at least minIntervalMs apart', async () => {
    const limiter = createRateLimiter({ concurrency: 4, minIntervalMs: 30 })
    const starts: number[] = []
    await Promise.all(Array.from({ length: 3 }, () => limiter.run(async () => void starts.push(performance.now()))))
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(25) // a lower bound only: timers never fire much early
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(25)
  })

  it('lets a cancelled waiter leave the queue without taking a slot', async () => {
    const limiter = createRateLimiter({ concurrency: 1, minIntervalMs: 0 })
    let release!: () => void
    const first = limiter.run(() => new Promise<void>((r) => (release = r)))
    const controller = new AbortController()
    const second = limiter.run(async () => 'ran', controller.signal)
    controller.abort()
    await expect(second).rejects.toBeInstanceOf(CancelledError)
    const third = limiter.run(async () => 'third')
    release()
    await first
    expect(await third).toBe('third')
  })
})
