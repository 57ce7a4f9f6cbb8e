// deflate-raw and base64url with the platform's own CompressionStream (Node ≥ 18, Chromium ≥ 103): no dependency.
// Inflating is capped as it streams, so a small input that inflates enormously (a zip bomb) stops early.

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

export async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  return readAll(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate-raw')))
}

export type InflateResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too-large' | 'corrupt'; detail: string }

// Input goes in small slices, so each write can inflate to at most ~1 MB (deflate's ratio is ≤ 1032:1) before the
// reader sees it and can stop: the cap bounds the work, not just the result.
const SLICE_BYTES = 1024

/** Inflates deflate-raw `bytes`, giving up once the output passes `maxBytes`. Never throws. */
export async function inflateRawCapped(bytes: Uint8Array, maxBytes: number): Promise<InflateResult> {
  const stream = new DecompressionStream('deflate-raw')
  const writer = stream.writable.getWriter()
  const reader = stream.readable.getReader()
  let stopped = false
  const writing = (async () => {
    for (let i = 0; i < bytes.length && !stopped; i += SLICE_BYTES) await writer.write(bytes.subarray(i, i + SLICE_BYTES) as Uint8Array<ArrayBuffer>)
    if (!stopped) await writer.close()
  })()
  writing.catch(() => {}) // its failures surface on the reader
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > maxBytes) {
        stopped = true
        await reader.cancel().catch(() => {})
        return { ok: false, reason: 'too-large', detail: `inflates to more than ${maxBytes} bytes` }
      }
      chunks.push(value)
    }
  } catch (err) {
    stopped = true
    return { ok: false, reason: 'corrupt', detail: err instanceof Error ? err.message : String(err) }
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return { ok: true, bytes: out }
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** null when `text` is not unpadded base64url. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4))
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}
