// HTTP plumbing shared by the URL and Hub sources: status → error mapping, streamed bodies with progress, HEAD probes.
import { CancelledError, MonoscopeError, SourceNetworkError, SourceNotFoundError } from '../errors.ts'
import { INPUT_LIMITS, maxFileBytes } from '../limits.ts'
import type { FetchOptions } from './types.ts'

/** Names the file, where it was looked for and the exact URL, so a message is enough to debug a failed load. */
export interface RequestTarget {
  file: string
  url: string
  where: string
}

function getFetch(): typeof fetch {
  if (typeof globalThis.fetch !== 'function') throw new SourceNetworkError('This runtime has no fetch(): cannot download files')
  return globalThis.fetch
}

/** Turns anything thrown while talking to the server into a Monoscope error. */
export function transportError(err: unknown, target: RequestTarget, signal?: AbortSignal): MonoscopeError {
  if (err instanceof MonoscopeError) return err
  if (signal?.aborted) return new CancelledError(`Cancelled while downloading ${target.file} from ${target.where}`)
  const reason = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err)
  return new SourceNetworkError(`Could not download ${target.file} from ${target.where} (${target.url}): ${reason}`, err)
}

/** The error for a non-2xx response. */
export function statusError(response: Response, target: RequestTarget): MonoscopeError {
  const { file, url, where } = target
  // The Hub names the failure in a header (RepoNotFound, EntryNotFound, RevisionNotFound, GatedRepo).
  const hubCode = response.headers.get('x-error-code')
  const detail = `HTTP ${response.status}${hubCode ? `, ${hubCode}` : ''}`
  if (response.status === 404) return new SourceNotFoundError(`${file} was not found in ${where} (${url}, ${detail})`)
  if (response.status === 401 || response.status === 403) {
    // The Hub answers 401 for repos that do not exist as well as for private ones, so this is "not found" to the user.
    return new SourceNotFoundError(
      `${file} could not be read from ${where} (${url}, ${detail}): the repository may not exist, or be private or gated`,
    )
  }
  return new SourceNetworkError(`Could not download ${file} from ${where} (${url}, ${detail} ${response.statusText})`.trimEnd())
}

/** The network limits a download runs under (INPUT_LIMITS by default; tests pass small ones). */
export interface HttpLimits {
  connectTimeoutMs: number
  /** The body must bring at least STALL_PROGRESS_BYTES within this long, so a slow drip counts as a stall too. */
  stallTimeoutMs: number
  retries: number
  retryBaseMs: number
  /** Refused when declared (content-length) or when received. */
  maxBytes: number
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  connectTimeoutMs: INPUT_LIMITS.httpConnectTimeoutMs,
  stallTimeoutMs: INPUT_LIMITS.httpStallTimeoutMs,
  retries: INPUT_LIMITS.httpRetries,
  retryBaseMs: INPUT_LIMITS.httpRetryBaseMs,
  maxBytes: INPUT_LIMITS.downloadBytes,
}

/** The default limits with the file's own byte ceiling (JSON files far lower than weights). */
export const limitsFor = (file: string): HttpLimits => {
  const maxBytes = maxFileBytes(file)
  return maxBytes === DEFAULT_HTTP_LIMITS.maxBytes ? DEFAULT_HTTP_LIMITS : { ...DEFAULT_HTTP_LIMITS, maxBytes }
}

const STALL_PROGRESS_BYTES = 1024

/** Worth another try: the server is overloaded or restarting (5xx, 429), or the connection dropped or stalled. */
class RetryableError extends Error {
  constructor(readonly failure: MonoscopeError) {
    super(failure.message)
  }
}

/**
 * GETs `target` and reads its whole body, with a connect timeout, a stall timeout, a cap on declared and received
 * bytes, and up to `limits.retries` further attempts (exponential backoff) after a 5xx, a 429, a dropped connection
 * or a stall. Progress never goes backwards across retries.
 */
export async function downloadBytes(target: RequestTarget, opts: FetchOptions = {}, limits: HttpLimits = limitsFor(target.file)): Promise<Uint8Array<ArrayBuffer>> {
  let reported = 0
  const onProgress = opts.onProgress
  const progress: FetchOptions['onProgress'] = onProgress
    ? (e) => {
        if (e.loaded < reported && e.loaded !== e.total) return
        reported = Math.max(reported, e.loaded)
        onProgress(e)
      }
    : undefined
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await getOnce(target, { signal: opts.signal }, limits)
      return await readBodyOnce(response, target, { signal: opts.signal, onProgress: progress }, limits)
    } catch (err) {
      if (!(err instanceof RetryableError)) throw err
      if (attempt >= limits.retries) {
        const { failure } = err
        const tries = `${limits.retries + 1} attempt${limits.retries ? 's' : ''}`
        throw failure instanceof SourceNetworkError ? new SourceNetworkError(`${failure.message} (gave up after ${tries})`, failure) : failure
      }
      await sleep(limits.retryBaseMs * 2 ** attempt, opts.signal, target)
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, target: RequestTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(transportError(null, target, signal))
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(transportError(null, target, signal))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** An AbortController that follows `outer` and can also be aborted by a timer, remembering why. */
function timedController(outer: AbortSignal | undefined) {
  const controller = new AbortController()
  let reason: string | null = null
  const follow = () => controller.abort()
  outer?.addEventListener('abort', follow, { once: true })
  let timer: ReturnType<typeof setTimeout> | null = null
  return {
    signal: controller.signal,
    /** (Re)starts the timer; when it fires the request is aborted with `why`. */
    arm(ms: number, why: string) {
      if (timer) clearTimeout(timer)
      timer = setTimeout(() => {
        reason = why
        controller.abort()
      }, ms)
    },
    get timedOut(): string | null {
      return reason
    },
    dispose() {
      if (timer) clearTimeout(timer)
      outer?.removeEventListener('abort', follow)
    },
  }
}

/** One GET with a connect timeout; a 5xx or 429 answer and a failed connection come back as RetryableError. */
async function getOnce(target: RequestTarget, opts: FetchOptions = {}, limits: HttpLimits = limitsFor(target.file)): Promise<Response> {
  if (opts.signal?.aborted) throw transportError(null, target, opts.signal)
  const timed = timedController(opts.signal)
  timed.arm(limits.connectTimeoutMs, `no answer within ${limits.connectTimeoutMs / 1000} s`)
  let response: Response
  try {
    response = await getFetch()(target.url, { signal: timed.signal })
  } catch (err) {
    timed.dispose()
    if (opts.signal?.aborted) throw transportError(err, target, opts.signal)
    const reason = timed.timedOut
    throw new RetryableError(reason ? new SourceNetworkError(`Could not download ${target.file} from ${target.where} (${target.url}): ${reason}`, err) : transportError(err, target))
  }
  timed.dispose()
  if (!response.ok) {
    await response.body?.cancel().catch(() => {})
    const failure = statusError(response, target)
    throw response.status >= 500 || response.status === 429 ? new RetryableError(failure) : failure
  }
  return response
}

/** HEAD, falling back to GET for servers that refuse HEAD. 404 means absent; other failures throw. */
export async function httpExists(target: RequestTarget, opts: FetchOptions = {}): Promise<boolean> {
  if (opts.signal?.aborted) throw transportError(null, target, opts.signal)
  const request = async (method: 'HEAD' | 'GET') => {
    const timed = timedController(opts.signal)
    timed.arm(DEFAULT_HTTP_LIMITS.connectTimeoutMs, `no answer within ${DEFAULT_HTTP_LIMITS.connectTimeoutMs / 1000} s`)
    try {
      const response = await getFetch()(target.url, { method, signal: timed.signal })
      await response.body?.cancel().catch(() => {})
      return response
    } catch (err) {
      const reason = opts.signal?.aborted ? null : timed.timedOut
      throw reason ? new SourceNetworkError(`Could not reach ${target.file} in ${target.where} (${target.url}): ${reason}`, err) : transportError(err, target, opts.signal)
    } finally {
      timed.dispose()
    }
  }
  let response = await request('HEAD')
  if (response.status === 405 || response.status === 501) response = await request('GET')
  if (response.ok) return true
  if (response.status === 404) return false
  throw statusError(response, target)
}

/** Expected body size, or null when unknown or when compression makes content-length count different bytes. */
function declaredLength(response: Response): number | null {
  const encoding = response.headers.get('content-encoding')
  if (encoding && encoding !== 'identity') return null
  const text = response.headers.get('content-length')
  const n = text === null ? NaN : Number(text)
  return Number.isSafeInteger(n) && n >= 0 ? n : null
}

/** Reads a response already in hand (the Hub cache's) under the same caps, without retrying. */
export async function readBody(response: Response, target: RequestTarget, opts: FetchOptions = {}, limits: HttpLimits = limitsFor(target.file)): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return await readBodyOnce(response, target, opts, limits)
  } catch (err) {
    throw err instanceof RetryableError ? err.failure : err
  }
}

/**
 * Reads a body chunk by chunk, reporting progress; the last event always has loaded === total. Refuses a body that
 * declares or brings more than `limits.maxBytes`; a stall or dropped connection comes back as RetryableError.
 */
async function readBodyOnce(
  response: Response,
  target: RequestTarget,
  opts: FetchOptions = {},
  limits: HttpLimits = limitsFor(target.file),
): Promise<Uint8Array<ArrayBuffer>> {
  const total = declaredLength(response)
  const tooLarge = (bytes: number | string) =>
    new SourceNetworkError(`${target.file} from ${target.where} is ${bytes} bytes, over the ${limits.maxBytes}-byte limit for this file (${target.url})`)
  if (total !== null && total > limits.maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw tooLarge(total)
  }
  const sink = new ByteSink(total)
  let last: { loaded: number; total: number | null } | null = null
  const report = (loaded: number, t: number | null) => {
    if (last && last.loaded === loaded && last.total === t) return
    last = { loaded, total: t }
    opts.onProgress?.({ file: target.file, loaded, total: t })
  }

  report(0, total)
  const reader = response.body?.getReader()
  if (!reader) sink.push(new Uint8Array(await response.arrayBuffer()))
  else {
    const stall = `stalled: under ${STALL_PROGRESS_BYTES} bytes in ${limits.stallTimeoutMs / 1000} s`
    let stallTimer: ReturnType<typeof setTimeout> | null = null
    let stalled = false
    const armStall = () => {
      if (stallTimer) clearTimeout(stallTimer)
      stallTimer = setTimeout(() => {
        stalled = true
        void reader.cancel().catch(() => {})
      }, limits.stallTimeoutMs)
    }
    const onAbort = () => void reader.cancel().catch(() => {})
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    let sinceArmed = 0
    armStall()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        if (sink.length + value.length > limits.maxBytes) throw tooLarge(`over ${limits.maxBytes}`)
        sink.push(value)
        sinceArmed += value.length
        if (sinceArmed >= STALL_PROGRESS_BYTES) {
          sinceArmed = 0
          armStall()
        }
        // A server that sends more than it announced has lied about the total: stop quoting it.
        report(sink.length, total !== null && sink.length <= total ? total : null)
      }
    } catch (err) {
      await reader.cancel().catch(() => {})
      if (err instanceof MonoscopeError) throw err
      if (opts.signal?.aborted) throw transportError(err, target, opts.signal)
      throw new RetryableError(transportError(err, target))
    } finally {
      if (stallTimer) clearTimeout(stallTimer)
      opts.signal?.removeEventListener('abort', onAbort)
    }
    if (opts.signal?.aborted) throw transportError(null, target, opts.signal)
    if (stalled) throw new RetryableError(new SourceNetworkError(`Download of ${target.file} from ${target.where} ${stall} after ${sink.length} bytes (${target.url})`))
  }
  if (total !== null && sink.length < total) {
    throw new RetryableError(new SourceNetworkError(`Download of ${target.file} from ${target.where} stopped after ${sink.length} of ${total} bytes (${target.url})`))
  }
  const bytes = sink.finish()
  report(bytes.length, bytes.length)
  return bytes
}

/** Collects chunks into one buffer; preallocates when the size is known so a large download is not held twice. */
class ByteSink {
  private buffer: Uint8Array<ArrayBuffer> | null = null
  private chunks: Uint8Array[] = []
  length = 0

  constructor(expected: number | null) {
    if (expected === null) return
    try {
      this.buffer = new Uint8Array(expected)
    } catch {
      this.buffer = null // too large to preallocate: collect chunks instead
    }
  }

  push(chunk: Uint8Array): void {
    if (this.buffer && this.length + chunk.length <= this.buffer.length) this.buffer.set(chunk, this.length)
    else {
      if (this.buffer) this.chunks.push(this.buffer.subarray(0, this.length))
      this.buffer = null
      this.chunks.push(chunk)
    }
    this.length += chunk.length
  }

  finish(): Uint8Array<ArrayBuffer> {
    if (this.buffer) return this.buffer.length === this.length ? this.buffer : this.buffer.slice(0, this.length)
    const out = new Uint8Array(this.length)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += chunk.length
    }
    return out
  }
}
