// Capped inflation with the platform's DecompressionStream (Node ≥ 18, Chromium ≥ 103): the share link's deflate-raw
// and the analysis shards' gzip. The cap is checked as the output streams, so a small input that inflates
// enormously (a 680 KB .gz once reached 1.5 GB) stops early instead of exhausting the tab.

export type InflateResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too-large' | 'corrupt'; detail: string }

// Input goes in small slices, so each write can inflate to at most ~1 MB (deflate's ratio is ≤ 1032:1) before the
// reader sees it and can stop: the cap bounds the work, not just the result.
const SLICE_BYTES = 1024

/** Inflates deflate-raw or gzip `bytes` with the platform's DecompressionStream, giving up once the output passes `maxBytes`. Never throws. */
export async function inflateCapped(bytes: Uint8Array, format: 'deflate-raw' | 'gzip', maxBytes: number): Promise<InflateResult> {
  const stream = new DecompressionStream(format)
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
