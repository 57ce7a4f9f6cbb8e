// Hand-written safetensors reader and writer (https://github.com/huggingface/safetensors): the weight format of
// Hugging Face models and SAELens SAEs. Reads F32 (zero-copy when aligned), F16 and BF16 into float32; writes F32.
import { InvalidArgumentError, SafetensorsFormatError } from '../errors.ts'
import { INPUT_LIMITS } from '../limits.ts'
import { describeValue, parseJsonChecked } from './safeJson.ts'

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16'

export interface TensorEntry {
  /** The dtype stored in the file; `data` is always float32. */
  dtype: SafetensorsDtype
  shape: number[]
  /** May be a view into the bytes given to `readSafetensors` (F32, aligned): writing to it writes to them. */
  data: Float32Array
}

export interface SafetensorsFile {
  tensors: Map<string, TensorEntry>
  metadata: Record<string, string>
}

const DTYPE_SIZE: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 }
const SUPPORTED = Object.keys(DTYPE_SIZE).join(', ')
/** dtypes the format defines that Monoscope does not read, so the message can say "not supported" rather than "unknown". */
const OTHER_KNOWN_DTYPES = new Set(['F64', 'I64', 'I32', 'I16', 'I8', 'U64', 'U32', 'U16', 'U8', 'BOOL', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'C64'])
/** Checked before decoding anything (INPUT_LIMITS.safetensorsHeaderBytes). */
const MAX_HEADER_BYTES = INPUT_LIMITS.safetensorsHeaderBytes
const METADATA_KEY = '__metadata__'
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

function fail(message: string): never {
  throw new SafetensorsFormatError(`Invalid safetensors file: ${message}`)
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const isNonNegativeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

// ---------------------------------------------------------------------------------------------------- reading

/** Parses a whole safetensors file. Throws SafetensorsFormatError with the reason for any malformed input. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const header = parseHeader(bytes)
  const dataStart = 8 + header.headerLength
  const dataLength = bytes.length - dataStart

  const metadata = parseMetadata(header.json[METADATA_KEY])
  const specs: Array<{ name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }> = []
  for (const [name, raw] of Object.entries(header.json)) {
    if (name === METADATA_KEY) continue
    specs.push({ name, ...parseTensorSpec(name, raw, dataLength) })
  }
  checkExactCoverage(specs, dataLength)

  const tensors = new Map<string, TensorEntry>()
  for (const s of specs) {
    const raw = bytes.subarray(dataStart + s.begin, dataStart + s.end)
    tensors.set(s.name, { dtype: s.dtype, shape: s.shape, data: toFloat32(raw, s.dtype) })
  }
  return { tensors, metadata }
}

function parseHeader(bytes: Uint8Array): { headerLength: number; json: Record<string, unknown> } {
  if (bytes.length < 8) fail(`the file is ${bytes.length} bytes, shorter than the 8-byte header length that starts every safetensors file`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8)
  // Compare as bigint first: a corrupt length such as 2^60 must fail here, before any allocation or decoding.
  const declared = view.getBigUint64(0, true)
  if (declared > BigInt(bytes.length - 8)) {
    fail(`the header length is ${declared} bytes but only ${bytes.length - 8} bytes follow it (truncated file, or not a safetensors file)`)
  }
  const headerLength = Number(declared)
  if (headerLength > MAX_HEADER_BYTES) fail(`the header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`)
  if (headerLength < 2) fail(`the header length is ${headerLength}; the header must be a JSON object`)

  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength))
  } catch {
    return fail('the header is not valid UTF-8')
  }
  const json = parseJsonChecked(text, (detail) => fail(`the header is ${detail}`))
  if (!isRecord(json)) return fail(`the header must be a JSON object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`)
  return { headerLength, json }
}

function parseMetadata(raw: unknown): Record<string, string> {
  // The Rust library reads `"__metadata__": null` as no metadata, so accept it too.
  if (raw === undefined || raw === null) return {}
  if (!isRecord(raw)) return fail(`"${METADATA_KEY}" must be an object of strings, got ${Array.isArray(raw) ? 'an array' : typeof raw}`)
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') fail(`"${METADATA_KEY}" value for "${key}" must be a string, got ${value === null ? 'null' : typeof value}`)
  }
  return Object.fromEntries(Object.entries(raw)) as Record<string, string>
}

function parseTensorSpec(name: string, raw: unknown, dataLength: number) {
  const where = `tensor "${name}"`
  if (!isRecord(raw)) return fail(`${where} must be an object with dtype, shape and data_offsets`)

  const { dtype, shape, data_offsets: offsets } = raw
  if (typeof dtype !== 'string' || !(dtype in DTYPE_SIZE)) {
    const kind = typeof dtype === 'string' && OTHER_KNOWN_DTYPES.has(dtype) ? 'unsupported' : 'unknown'
    fail(`${where} has ${kind} dtype ${describeValue(dtype)}; supported dtypes are ${SUPPORTED}`)
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) {
    fail(`${where} has shape ${describeValue(shape)}; a shape must be an array of non-negative integers`)
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) {
    fail(`${where} has data_offsets ${describeValue(offsets)}; they must be [begin, end], two non-negative integers`)
  }
  const [begin, end] = offsets as [number, number]
  if (begin > end) fail(`${where} has data_offsets [${begin}, ${end}] with begin after end`)
  if (end > dataLength) fail(`${where} ends at byte ${end} of the data section, which has only ${dataLength} bytes (truncated file?)`)

  const typed = dtype as SafetensorsDtype
  const byteLength = end - begin
  const expected = expectedByteLength(shape as number[], DTYPE_SIZE[typed])
  if (expected !== byteLength) {
    fail(`${where} has ${byteLength} bytes of data but shape [${(shape as number[]).join(', ')}] of ${typed} needs ${expected ?? 'over 2^53'}`)
  }
  return { dtype: typed, shape: [...(shape as number[])], begin, end }
}

/** product(shape) * size, or null once it is too large to count exactly (absurd shapes must not pass by rounding). */
function expectedByteLength(shape: number[], size: number): number | null {
  if (shape.includes(0)) return 0
  let bytes = size
  for (const d of shape) {
    bytes *= d
    if (bytes > Number.MAX_SAFE_INTEGER) return null
  }
  return bytes
}

/**
 * As the reference reader (safetensors' `validate`): sorted by offset, each tensor starts where the previous one
 * ended, the first at 0, and the last ends at the end of the file. A gap, an overlap or a trailing byte means the
 * header and the data disagree (bytes inserted, a header length one short), and reading on would shift every value.
 */
function checkExactCoverage(specs: Array<{ name: string; begin: number; end: number }>, dataLength: number): void {
  const sorted = [...specs].sort((a, b) => a.begin - b.begin || a.end - b.end)
  let expected = 0
  let previous: string | null = null
  for (const s of sorted) {
    if (s.begin !== expected) {
      const after = previous === null ? 'the start of the data section' : `tensor "${previous}" ends at ${expected}`
      fail(`tensor "${s.name}" starts at byte ${s.begin} of the data section but ${after}: the offsets must be contiguous (${s.begin < expected ? 'overlap' : 'gap'})`)
    }
    expected = s.end
    previous = s.name
  }
  if (expected !== dataLength) {
    fail(`the tensors cover ${expected} bytes of the data section but it has ${dataLength}: the header and the data disagree (bytes inserted, or a wrong header length)`)
  }
}

function toFloat32(raw: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  switch (dtype) {
    case 'F32':
      // Zero-copy needs 4-byte alignment; a header whose length is not a multiple of 4 breaks it, so copy then.
      if (LITTLE_ENDIAN && raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4)
      return LITTLE_ENDIAN ? new Float32Array(raw.slice().buffer) : mapLe(raw, 4, (v, i) => v.getFloat32(i, true))
    case 'F16': {
      const table = halfTable()
      return mapLe(raw, 2, (v, i) => table[v.getUint16(i, true)]!)
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift its bits into place through an integer view of the output.
      const out = new Float32Array(raw.length / 2)
      const bits = new Uint32Array(out.buffer)
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
      for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(i * 2, true) << 16
      return out
    }
  }
}

function mapLe(raw: Uint8Array, size: number, read: (view: DataView, byteIndex: number) => number): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
  const out = new Float32Array(raw.length / size)
  for (let i = 0; i < out.length; i++) out[i] = read(view, i * size)
  return out
}

let halfToFloat: Float32Array | null = null
/** All 65,536 half-precision values as float32 (256 KiB, built once): one lookup per weight instead of bit fiddling. */
function halfTable(): Float32Array {
  if (halfToFloat) return halfToFloat
  const table = new Float32Array(65536)
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1
    const exp = (h >> 10) & 0x1f
    const frac = h & 0x3ff
    if (exp === 0) table[h] = sign * frac * 2 ** -24 // zero and subnormals
    else if (exp === 31) table[h] = frac ? NaN : sign * Infinity
    else table[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15)
  }
  halfToFloat = table
  return table
}

// ---------------------------------------------------------------------------------------------------- writing

/**
 * Writes float32 tensors as a safetensors file the Python library reads back unchanged: tensors sorted by name,
 * header padded with spaces so the data section starts 8-byte aligned.
 */
export function writeSafetensors(
  tensors: Record<string, { shape: number[]; data: Float32Array }>,
  metadata?: Record<string, string>,
): Uint8Array {
  const names = Object.keys(tensors).sort(compareUtf8)
  const header: Record<string, unknown> = {}
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new InvalidArgumentError(`safetensors metadata "${key}" must be a string`)
    }
    header[METADATA_KEY] = metadata
  }
  let offset = 0
  for (const name of names) {
    if (name === METADATA_KEY) throw new InvalidArgumentError(`"${METADATA_KEY}" is reserved and cannot name a tensor`)
    const { shape, data } = tensors[name]!
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) {
      throw new InvalidArgumentError(`tensor "${name}": shape ${describeValue(shape)} must be non-negative integers`)
    }
    const numel = shape.reduce((a, b) => a * b, 1)
    if (data.length !== numel) {
      throw new InvalidArgumentError(`tensor "${name}": shape [${shape.join(', ')}] has ${numel} elements but data has ${data.length}`)
    }
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] }
    offset += data.byteLength
  }

  const json = new TextEncoder().encode(JSON.stringify(header))
  const headerLength = Math.ceil(json.length / 8) * 8
  const out = new Uint8Array(8 + headerLength + offset)
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true)
  out.set(json, 8)
  out.fill(0x20, 8 + json.length, 8 + headerLength) // spaces: still valid JSON, and what the Rust writer pads with

  const dataStart = 8 + headerLength
  const view = new DataView(out.buffer)
  for (const name of names) {
    const { data } = tensors[name]!
    const [begin] = (header[name] as { data_offsets: [number, number] }).data_offsets
    if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataStart + begin)
    else data.forEach((v, i) => view.setFloat32(dataStart + begin + i * 4, v, true))
  }
  return out
}

/** Byte order of the UTF-8 encodings, i.e. code point order, as Rust's `String` ordering used by the Python library. */
function compareUtf8(a: string, b: string): number {
  const ca = [...a]
  const cb = [...b]
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i]!.codePointAt(0)! - cb[i]!.codePointAt(0)!
    if (d !== 0) return d
  }
  return ca.length - cb.length
}
