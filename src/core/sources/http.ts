// HTTP plumbing shared by the URL and Hub sources: status → error mapping, streamed bodies with progress, HEAD probes.
import { CancelledError, MonoscopeError, SourceNetworkError, SourceNotFoundError } from '../errors.ts'
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

export async function httpGet(target: RequestTarget, opts: FetchOptions = {}): Promise<Response> {
  if (opts.signal?.aborted) throw transportError(null, target, opts.signal)
  let response: Response
  try {
    response = await getFetch()(target.url, { signal: opts.signal })
  } catch (err) {
    throw transportError(err, target, opts.signal)
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {})
    throw statusError(response, target)
  }
  return response
}

/** HEAD, falling back to GET for servers that refuse HEAD. 404 means absent; other failures throw. */
export async function httpExists(target: RequestTarget, opts: FetchOptions = {}): Promise<boolean> {
  if (opts.signal?.aborted) throw transportError(null, target, opts.signal)
  const request = async (method: 'HEAD' | 'GET') => {
    try {
      const response = await getFetch()(target.url, { method, signal: opts.signal })
      await response.body?.cancel().catch(() => {})
      return response
    } catch (err) {
      throw transportError(err, target, opts.signal)
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

/** Reads a body chunk by chunk, reporting progress; the last event always has loaded === total. */
export async function readBody(response: Response, target: RequestTarget, opts: FetchOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  const total = declaredLength(response)
  const sink = new ByteSink(total)
  let last: { loaded: number; total: number | null } | null = null
  const report = (loaded: number, t: number | null) => {
    if (last && last.loaded === loaded && last.total === t) return
    last = { loaded, total: t }
    opts.onProgress?.({ file: target.file, loaded, total: t })
  }

  report(0, total)
  const reader = response.body?.getReader()
  try {
    if (!reader) sink.push(new Uint8Array(await response.arrayBuffer()))
    else {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        sink.push(value)
        // A server that sends more than it announced has lied about the total: stop quoting it.
        report(sink.length, total !== null && sink.length <= total ? total : null)
      }
    }
  } catch (err) {
    await reader?.cancel().catch(() => {})
    throw transportError(err, target, opts.signal)
  }
  if (total !== null && sink.length < total) {
    throw new SourceNetworkError(`Download of ${target.file} from ${target.where} stopped after ${sink.length} of ${total} bytes (${target.url})`)
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
