// Reads zip archives defensively. fflate inflates well, so it does the inflating (in chunks, below), but its
// unzipSync trusts the archive: a 194-byte zip whose zip64 record claimed 2³²−1 entries spun a worker for minutes,
// a 2 MB zip inflated to 1.3 GB, and CRC-32s and declared sizes went unchecked. So the directory is parsed here
// (APPNOTE.TXT 4.3), every count, size and offset is checked against the bytes that exist and INPUT_LIMITS before
// anything is inflated, only the wanted entries are inflated, and each is checked against its CRC and size.
import { Inflate } from 'fflate'
import { CancelledError, InvalidArgumentError } from '../errors.ts'
import { INPUT_LIMITS } from '../limits.ts'

export interface ZipEntryInfo {
  name: string
  /** 0 stored, 8 deflate: the two every zip tool writes. */
  method: number
  crc32: number
  compressedSize: number
  uncompressedSize: number
  localHeaderOffset: number
}

export interface ZipLimits {
  maxEntries: number
  /** For any one entry and for all the inflated entries together. */
  maxInflatedBytes: number
}

const DEFAULT_LIMITS: ZipLimits = { maxEntries: INPUT_LIMITS.zipEntries, maxInflatedBytes: INPUT_LIMITS.zipInflatedBytes }

const EOCD_SIGNATURE = 0x06054b50
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const ZIP64_EOCD_SIGNATURE = 0x06064b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
const EOCD_BYTES = 22
const CENTRAL_HEADER_BYTES = 46
const LOCAL_HEADER_BYTES = 30
const MAX_COMMENT_BYTES = 0xffff
const ZIP64_EXTRA_ID = 0x0001

/** Input bytes given to the inflater per step: deflate expands at most ~1032×, so a step makes ≤ 17 MB. */
const INFLATE_STEP_BYTES = 16 * 1024

function fail(label: string, message: string): never {
  throw new InvalidArgumentError(`${label} is not a readable zip file: ${message}`)
}

/** Every entry of the central directory, validated; throws InvalidArgumentError naming what is wrong. */
export function listZipEntries(bytes: Uint8Array, label = 'the zip', limits: ZipLimits = DEFAULT_LIMITS): ZipEntryInfo[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const eocd = findEndOfCentralDirectory(view)
  if (eocd < 0) fail(label, 'no end-of-central-directory record (truncated, or not a zip)')

  let count = view.getUint16(eocd + 10, true)
  let directorySize = view.getUint32(eocd + 12, true)
  let directoryOffset = view.getUint32(eocd + 16, true)
  let directoryEnd = eocd
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const zip64 = readZip64End(view, eocd, label)
    ;({ count, directorySize, directoryOffset } = zip64)
    directoryEnd = zip64.recordOffset
  }
  // Checked before walking: each entry takes at least 46 bytes, so the count cannot exceed what the bytes hold.
  if (count > limits.maxEntries) fail(label, `it claims ${count} entries; at most ${limits.maxEntries} are read`)
  if (directoryOffset + directorySize > directoryEnd) fail(label, `its central directory [${directoryOffset}, ${directoryOffset + directorySize}) runs past the end of the archive`)
  if (count * CENTRAL_HEADER_BYTES > directorySize) fail(label, `it claims ${count} entries but its central directory has room for ${Math.floor(directorySize / CENTRAL_HEADER_BYTES)}`)

  const entries: ZipEntryInfo[] = []
  const names = new Set<string>()
  let at = directoryOffset
  const end = directoryOffset + directorySize
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_HEADER_BYTES > end || view.getUint32(at, true) !== CENTRAL_SIGNATURE) fail(label, `central directory entry ${i} is damaged`)
    const flags = view.getUint16(at + 8, true)
    const method = view.getUint16(at + 10, true)
    const crc32 = view.getUint32(at + 16, true)
    let compressedSize = view.getUint32(at + 20, true)
    let uncompressedSize = view.getUint32(at + 24, true)
    const nameLength = view.getUint16(at + 28, true)
    const extraLength = view.getUint16(at + 30, true)
    const commentLength = view.getUint16(at + 32, true)
    let localHeaderOffset = view.getUint32(at + 42, true)
    const next = at + CENTRAL_HEADER_BYTES + nameLength + extraLength + commentLength
    if (next > end) fail(label, `central directory entry ${i} runs past the directory`)
    const name = decodeName(bytes.subarray(at + CENTRAL_HEADER_BYTES, at + CENTRAL_HEADER_BYTES + nameLength), (flags & 0x800) !== 0)

    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      const extra = readZip64Extra(view, at + CENTRAL_HEADER_BYTES + nameLength, extraLength, {
        uncompressed: uncompressedSize === 0xffffffff,
        compressed: compressedSize === 0xffffffff,
        offset: localHeaderOffset === 0xffffffff,
      })
      if (!extra) fail(label, `"${name}" needs a zip64 extra field and has none`)
      uncompressedSize = extra.uncompressedSize ?? uncompressedSize
      compressedSize = extra.compressedSize ?? compressedSize
      localHeaderOffset = extra.localHeaderOffset ?? localHeaderOffset
    }
    if (flags & 0x1) fail(label, `"${name}" is encrypted`)
    if (names.has(name)) fail(label, `it holds two entries named "${name}"`)
    names.add(name)
    if (localHeaderOffset + LOCAL_HEADER_BYTES + compressedSize > directoryOffset) fail(label, `"${name}" claims data past the entries' area`)
    if (uncompressedSize > limits.maxInflatedBytes) fail(label, `"${name}" inflates to ${uncompressedSize} bytes; at most ${limits.maxInflatedBytes} are read`)
    entries.push({ name, method, crc32, compressedSize, uncompressedSize, localHeaderOffset })
    at = next
  }
  return entries
}

export interface ExtractOptions {
  signal?: AbortSignal | undefined
  limits?: ZipLimits
}

/**
 * Inflates the entries `wanted` picks (all files by default; directories never), checking each against its declared
 * size and CRC-32. Yields to the event loop between steps, so a worker stays responsive and `signal` can cancel.
 */
export async function extractZipEntries(
  bytes: Uint8Array,
  label = 'the zip',
  wanted: (name: string) => boolean = () => true,
  opts: ExtractOptions = {},
): Promise<{ name: string; data: Uint8Array }[]> {
  const limits = opts.limits ?? DEFAULT_LIMITS
  const entries = listZipEntries(bytes, label, limits).filter((e) => !e.name.endsWith('/') && wanted(e.name))
  const total = entries.reduce((sum, e) => sum + e.uncompressedSize, 0)
  if (total > limits.maxInflatedBytes) fail(label, `the entries wanted inflate to ${total} bytes; at most ${limits.maxInflatedBytes} are read`)
  const out: { name: string; data: Uint8Array }[] = []
  for (const entry of entries) {
    if (opts.signal?.aborted) throw new CancelledError(`Cancelled while unzipping ${label}`)
    out.push({ name: entry.name, data: await inflateEntry(bytes, entry, label, opts.signal) })
  }
  return out
}

async function inflateEntry(bytes: Uint8Array, entry: ZipEntryInfo, label: string, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const at = entry.localHeaderOffset
  if (view.getUint32(at, true) !== LOCAL_SIGNATURE) fail(label, `"${entry.name}" has no local header where the directory says`)
  const start = at + LOCAL_HEADER_BYTES + view.getUint16(at + 26, true) + view.getUint16(at + 28, true)
  if (start + entry.compressedSize > bytes.length) fail(label, `"${entry.name}" runs past the end of the archive`)
  const packed = bytes.subarray(start, start + entry.compressedSize)

  let data: Uint8Array
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) fail(label, `"${entry.name}" is stored uncompressed but its two sizes differ`)
    data = packed.slice()
  } else if (entry.method === 8) {
    data = await inflateChunked(packed, entry, label, signal)
  } else {
    return fail(label, `"${entry.name}" uses compression method ${entry.method}; only stored (0) and deflate (8) are read`)
  }
  if (data.length !== entry.uncompressedSize) fail(label, `"${entry.name}" inflates to ${data.length} bytes but the directory says ${entry.uncompressedSize}`)
  const crc = crc32(data)
  if (crc !== entry.crc32) fail(label, `"${entry.name}" fails its CRC-32 check (damaged in transfer?)`)
  return data
}

async function inflateChunked(packed: Uint8Array, entry: ZipEntryInfo, label: string, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const out = new Uint8Array(entry.uncompressedSize)
  let length = 0
  let overflow = false
  let finished = false
  const inflater = new Inflate((chunk, final) => {
    if (length + chunk.length > out.length) overflow = true
    else out.set(chunk, length)
    length += chunk.length
    if (final) finished = true
  })
  try {
    for (let i = 0; i < packed.length && !overflow; i += INFLATE_STEP_BYTES) {
      if (signal?.aborted) throw new CancelledError(`Cancelled while unzipping ${label}`)
      inflater.push(packed.subarray(i, i + INFLATE_STEP_BYTES), i + INFLATE_STEP_BYTES >= packed.length)
      await yieldToEventLoop()
    }
    if (packed.length === 0) inflater.push(new Uint8Array(0), true)
  } catch (err) {
    if (err instanceof CancelledError) throw err
    return fail(label, `"${entry.name}" is damaged (${err instanceof Error ? err.message : String(err)})`)
  }
  if (overflow) fail(label, `"${entry.name}" inflates past the ${entry.uncompressedSize} bytes the directory declares`)
  if (!finished) fail(label, `"${entry.name}" ends before its compressed data does (truncated?)`)
  return out.subarray(0, length)
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

function findEndOfCentralDirectory(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - EOCD_BYTES - MAX_COMMENT_BYTES)
  for (let at = view.byteLength - EOCD_BYTES; at >= lowest; at--) {
    // The comment length must reach exactly to the end, so a signature inside a comment is not taken for the record.
    if (view.getUint32(at, true) === EOCD_SIGNATURE && at + EOCD_BYTES + view.getUint16(at + 20, true) === view.byteLength) return at
  }
  return -1
}

function readZip64End(view: DataView, eocd: number, label: string): { count: number; directorySize: number; directoryOffset: number; recordOffset: number } {
  const locator = eocd - 20
  if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR_SIGNATURE) fail(label, 'it needs a zip64 record and has none')
  const recordOffset = safeUint64(view, locator + 8, label)
  if (recordOffset + 56 > locator || view.getUint32(recordOffset, true) !== ZIP64_EOCD_SIGNATURE) fail(label, 'its zip64 end record is missing or damaged')
  return {
    // A count, not a position: compared with the entry limit by the caller, so only clamp it to a safe number.
    count: countField(view, recordOffset + 32),
    directorySize: safeUint64(view, recordOffset + 40, label),
    directoryOffset: safeUint64(view, recordOffset + 48, label),
    recordOffset,
  }
}

function readZip64Extra(
  view: DataView,
  start: number,
  length: number,
  needs: { uncompressed: boolean; compressed: boolean; offset: boolean },
): { uncompressedSize?: number; compressedSize?: number; localHeaderOffset?: number } | null {
  for (let at = start; at + 4 <= start + length; ) {
    const id = view.getUint16(at, true)
    const size = view.getUint16(at + 2, true)
    if (id === ZIP64_EXTRA_ID) {
      // The fields present are exactly those whose 32-bit slot is 0xFFFFFFFF, in this order.
      let p = at + 4
      const out: { uncompressedSize?: number; compressedSize?: number; localHeaderOffset?: number } = {}
      const read = (): number | null => {
        if (p + 8 > at + 4 + size) return null
        const v = view.getBigUint64(p, true)
        p += 8
        return v > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(v)
      }
      for (const [need, key] of [[needs.uncompressed, 'uncompressedSize'], [needs.compressed, 'compressedSize'], [needs.offset, 'localHeaderOffset']] as const) {
        if (!need) continue
        const v = read()
        if (v === null) return null
        out[key] = v
      }
      return out
    }
    at += 4 + size
  }
  return null
}

function countField(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true)
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v)
}

function safeUint64(view: DataView, at: number, label: string): number {
  if (at + 8 > view.byteLength) fail(label, 'a zip64 field lies past the end of the archive')
  const v = view.getBigUint64(at, true)
  if (v > BigInt(view.byteLength)) fail(label, `a zip64 field claims ${v}, more than the archive's ${view.byteLength} bytes can hold`)
  return Number(v)
}

function decodeName(raw: Uint8Array, utf8: boolean): string {
  // Names without the UTF-8 flag are CP437 by the spec; every byte below 0x80 agrees, and that is all SAE files use.
  return utf8 ? new TextDecoder('utf-8').decode(raw) : Array.from(raw, (b) => (b < 0x80 ? String.fromCharCode(b) : '\ufffd')).join('')
}

let crcTable: Uint32Array | null = null
/** CRC-32 (IEEE), as zip stores it. fflate computes one internally but does not export it; it is ten lines. */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let crc = 0xffffffff
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}
