// A client for OpenAI-compatible chat completions (OpenAI, vLLM, llama.cpp, Ollama, LM Studio …) over fetch, so it runs
// in Node and in browsers. It retries what a retry can fix, stays within rate limits, and keeps the API key out of
// everything but the Authorization header: no URL, message, log line or returned object ever holds it.
import { z } from 'zod'
import { CancelledError, InvalidArgumentError, LlmEndpointError } from '../../errors.ts'
import type { ChatMessage } from './prompts.ts'
import { cancellableSleep, createRateLimiter } from './rateLimiter.ts'

export interface ChatClientConfig {
  /** The API base, e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1; requests go to `{baseUrl}/chat/completions`. */
  baseUrl: string
  model: string
  /** Sent only as `Authorization: Bearer …`; omit for local servers that need none. */
  apiKey?: string | null
  temperature?: number
  maxTokens?: number
  /** Tries per request, the first included. */
  maxAttempts?: number
  /** Per attempt, response body included. */
  timeoutMs?: number
  /** First backoff delay; doubled per attempt, with jitter. */
  retryBaseMs?: number
  /** Ceiling on any wait between attempts, a server's Retry-After included, so a bad header cannot hang a run. */
  maxRetryDelayMs?: number
  concurrency?: number
  minIntervalMs?: number
  /** How to wait between attempts; tests pass one that records the delays instead of sleeping them. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export const DEFAULT_CHAT_CONFIG = Object.freeze({
  temperature: 0, // deterministic answers, so a cached explanation is the one a rerun would give
  maxTokens: 1024, // a simulation reply repeats ~120 tokens of records with a value each; explanations need far less
  maxAttempts: 4, // three retries ride out a rate-limit window or a restart without hiding a dead endpoint for long
  timeoutMs: 60_000, // a slow local model needs tens of seconds for the simulation reply
  retryBaseMs: 500,
  maxRetryDelayMs: 60_000, // hosted APIs ask for up to a minute after a 429
  concurrency: 4, // hosted APIs take many; a local server queues what it cannot run
  minIntervalMs: 0,
})

export interface ChatClient {
  readonly model: string
  /** The chat-completions URL, safe to show: it never holds the key. */
  readonly endpoint: string
  readonly concurrency: number
  /** The first choice's message content; LlmEndpointError after the bounded attempts, CancelledError when aborted. */
  complete(messages: readonly ChatMessage[], signal?: AbortSignal): Promise<string>
}

/** Replaces every occurrence of `secret` (raw or URL-encoded) in `text`: the safety net under every message built here. */
export function redact(text: string, secret: string | null | undefined): string {
  if (!secret) return text
  let out = text
  for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('[redacted]')
  return out
}

const completionSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1) })

/** Seconds or an HTTP date, as RFC 9110 allows; null when absent or unreadable (then backoff decides). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

type Attempt = { ok: true; content: string } | { ok: false; error: LlmEndpointError; retryable: boolean; retryAfterMs: number | null }

function chatEndpoint(baseUrl: string, apiKey: string | null): string {
  if (apiKey && baseUrl.includes(apiKey)) throw new InvalidArgumentError('The LLM endpoint URL contains the API key; give the key on its own (it is sent only in the Authorization header)')
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw new InvalidArgumentError(`The LLM endpoint "${baseUrl}" is not a URL (expected e.g. http://127.0.0.1:8000/v1)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`The LLM endpoint must be http(s), got ${url.protocol}`)
  // Credentials in a URL end up in logs and error messages; the key has its own channel.
  if (url.username || url.password || url.search || url.hash) throw new InvalidArgumentError('The LLM endpoint must be a plain base URL, without user:password@, query or fragment')
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/chat/completions`
}

/** The server's own words for an error (OpenAI-style `{error: {message}}`, else the body), short and on one line. */
function errorDetail(body: string): string {
  let detail = body
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string }
    const message = typeof parsed.error === 'string' ? parsed.error : parsed.error?.message
    if (typeof message === 'string') detail = message
  } catch {
    // not JSON: show the text itself
  }
  detail = detail.replace(/\s+/g, ' ').trim()
  return detail.length > 200 ? `${detail.slice(0, 199)}…` : detail
}

export function createChatClient(config: ChatClientConfig): ChatClient {
  const c = { ...DEFAULT_CHAT_CONFIG, ...config }
  const apiKey = config.apiKey ? config.apiKey : null // held in this closure only, never on the returned object
  if (!c.model.trim()) throw new InvalidArgumentError('The LLM model name is empty')
  if (!Number.isInteger(c.maxAttempts) || c.maxAttempts < 1) throw new InvalidArgumentError(`maxAttempts must be an integer ≥ 1, got ${c.maxAttempts}`)
  if (!Number.isInteger(c.concurrency) || c.concurrency < 1) throw new InvalidArgumentError(`concurrency must be an integer ≥ 1, got ${c.concurrency}`)
  const endpoint = chatEndpoint(c.baseUrl, apiKey)
  const limiter = createRateLimiter({ concurrency: c.concurrency, minIntervalMs: c.minIntervalMs })
  const sleep = c.sleep ?? cancellableSleep
  const fail = (message: string, status: number | null, retryable: boolean, retryAfterMs: number | null = null): Attempt => ({
    ok: false,
    error: new LlmEndpointError(redact(message, apiKey), status),
    retryable,
    retryAfterMs,
  })

  async function attemptOnce(body: string, signal?: AbortSignal): Promise<Attempt> {
    const controller = new AbortController()
    let timedOut = false
    const follow = () => controller.abort()
    signal?.addEventListener('abort', follow, { once: true })
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, c.timeoutMs)
    const headers: Record<string, string> = { 'Content-Type': 'application/json' }
    if (apiKey) headers.Authorization = `Bearer ${apiKey}`
    let response: Response
    let text: string
    try {
      response = await fetch(endpoint, { method: 'POST', headers, body, signal: controller.signal })
      text = await response.text()
    } catch (err) {
      if (signal?.aborted) throw new CancelledError(`Cancelled while waiting for ${endpoint}`)
      if (timedOut) return fail(`The LLM endpoint ${endpoint} did not answer within ${c.timeoutMs} ms`, null, true)
      const reason = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err)
      return fail(`Could not reach the LLM endpoint ${endpoint}: ${reason}`, null, true)
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', follow)
    }
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
    if (response.status === 429 || response.status >= 500) {
      return fail(`The LLM endpoint ${endpoint} answered ${status}: ${errorDetail(text)}`, response.status, true, parseRetryAfter(response.headers.get('retry-after')))
    }
    if (response.status === 401 || response.status === 403) {
      const why = apiKey ? 'refused the API key' : 'needs an API key'
      return fail(`The LLM endpoint ${endpoint} ${why} (${status}): ${errorDetail(text)}`, response.status, false)
    }
    if (!response.ok) return fail(`The LLM endpoint ${endpoint} answered ${status}: ${errorDetail(text)}`, response.status, false)
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return fail(`The LLM endpoint ${endpoint} answered ${status} with something other than JSON`, response.status, false)
    }
    const parsed = completionSchema.safeParse(json)
    if (!parsed.success) return fail(`The LLM endpoint ${endpoint} answered ${status} but not with a chat completion (choices[0].message.content)`, response.status, false)
    return { ok: true, content: parsed.data.choices[0]!.message.content }
  }

  return {
    model: c.model,
    endpoint,
    concurrency: c.concurrency,
    async complete(messages, signal) {
      const body = JSON.stringify({ model: c.model, messages, temperature: c.temperature, max_tokens: c.maxTokens })
      for (let attempt = 1; ; attempt++) {
        const result = await limiter.run(() => attemptOnce(body, signal), signal)
        if (result.ok) return result.content
        if (!result.retryable || attempt >= c.maxAttempts) {
          if (!result.retryable) throw result.error
          throw new LlmEndpointError(`${result.error.message} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'})`, result.error.status)
        }
        // Equal jitter: at least half the exponential delay, so clients that failed together do not retry together.
        const backoff = c.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)
        await sleep(Math.min(result.retryAfterMs ?? backoff, c.maxRetryDelayMs), signal)
      }
    },
  }
}
