// Safetensors: round trips, half-precision decoding against hand-made bit patterns, and one test per malformed file.
import { describe, expect, it } from 'vitest'
import { SafetensorsFormatError } from '../errors.ts'
import { readSafetensors, writeSafetensors } from './safetensors.ts'

/** Builds a file byte by byte so tests control every field, including broken ones. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(), declaredLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header))
  const out = new Uint8Array(8 + json.length + data.length)
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true)
  out.set(json, 8)
  out.set(data, 8 + json.length)
  return out
}

const u16le = (...values: number[]): Uint8Array => {
  const out = new Uint8Array(values.length * 2)
  values.forEach((v, i) => new DataView(out.buffer).setUint16(i * 2, v, true))
  return out
}

const expectFormatError = (bytes: Uint8Array, fragment: string | RegExp) => {
  let caught: unknown
  try {
    readSafetensors(bytes)
  } catch (err) {
    caught = err
  }
  expect(caught).toBeInstanceOf(SafetensorsFormatError)
  expect((caught as SafetensorsFormatError).code).toBe('SAFETENSORS_FORMAT')
  expect((caught as Error).message).toMatch(fragment)
}

const f32 = (name: string, shape: number[], begin: number, end: number) => ({ [name]: { dtype: 'F32', shape, data_offsets: [begin, end] } })

describe('writeSafetensors → readSafetensors', () => {
  it('round-trips several shapes, including a scalar and an empty tensor, and the metadata', () => {
    const tensors = {
      W_enc: { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-30, -7]) },
      b_dec: { shape: [3], data: Float32Array.from([0.25, 0.5, 0.75]) },
      scalar: { shape: [], data: Float32Array.from([42]) },
      empty: { shape: [0, 4], data: new Float32Array(0) },
      cube: { shape: [2, 1, 2], data: Float32Array.from([NaN, Infinity, -Infinity, -0]) },
    }
    const bytes = writeSafetensors(tensors, { format: 'pt', note: 'ünïcode ✓' })
    const file = readSafetensors(bytes)

    expect(file.metadata).toEqual({ format: 'pt', note: 'ünïcode ✓' })
    expect([...file.tensors.keys()].sort()).toEqual(Object.keys(tensors).sort())
    for (const [name, t] of Object.entries(tensors)) {
      const got = file.tensors.get(name)!
      expect(got.dtype).toBe('F32')
      expect(got.shape).toEqual(t.shape)
      expect(Array.from(got.data)).toEqual(Array.from(t.data))
    }
  })

  it('pads the header with spaces so data starts 8-byte aligned, sorts tensors by name and reads F32 zero-copy', () => {
    const bytes = writeSafetensors({ b: { shape: [1], data: Float32Array.of(2) }, a: { shape: [1], data: Float32Array.of(1) } })
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true))
    expect((8 + headerLength) % 8).toBe(0)
    const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))
    expect(headerText.trimEnd()).toBe('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}')

    const file = readSafetensors(bytes)
    expect(file.tensors.get('b')!.data.buffer).toBe(bytes.buffer) // a view, not a copy
  })

  it('copies F32 data that is not 4-byte aligned', () => {
    const header = f32('x', [2], 0, 8)
    let json = JSON.stringify(header)
    while ((8 + json.length) % 4 !== 2) json += ' '
    const file = readSafetensors(rawFile(json, new Uint8Array(new Float32Array([1.5, -2.5]).buffer)))
    expect(Array.from(file.tensors.get('x')!.data)).toEqual([1.5, -2.5])
  })

  it('reads a file that sits at an odd offset inside a larger buffer', () => {
    const bytes = writeSafetensors({ x: { shape: [3], data: Float32Array.of(1, 2, 3) } })
    const big = new Uint8Array(bytes.length + 3)
    big.set(bytes, 3)
    expect(Array.from(readSafetensors(big.subarray(3)).tensors.get('x')!.data)).toEqual([1, 2, 3])
  })
})

describe('half precision', () => {
  it('decodes F16 bit patterns', () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x8000, 0x7c00, 0xfc00, 0x7e00]
    const bytes = rawFile({ h: { dtype: 'F16', shape: [3, 3], data_offsets: [0, 18] } }, u16le(...bits))
    const t = readSafetensors(bytes).tensors.get('h')!
    expect(t.dtype).toBe('F16')
    expect(t.shape).toEqual([3, 3])
    const d = Array.from(t.data)
    expect(d.slice(0, 3)).toEqual([1, -2, 65504])
    expect(d[3]).toBe(2 ** -24) // smallest subnormal
    expect(d[4]).toBe(0.333251953125)
    expect(Object.is(d[5], -0)).toBe(true)
    expect(d.slice(6, 8)).toEqual([Infinity, -Infinity])
    expect(d[8]).toBeNaN()
  })

  it('decodes BF16 bit patterns', () => {
    const bits = [0x3f80, 0xc040, 0x4049, 0xbf00, 0x0000, 0x7f80]
    const bytes = rawFile({ b: { dtype: 'BF16', shape: [6], data_offsets: [0, 12] } }, u16le(...bits))
    const t = readSafetensors(bytes).tensors.get('b')!
    expect(t.dtype).toBe('BF16')
    expect(Array.from(t.data)).toEqual([1, -3, 3.140625, -0.5, 0, Infinity])
  })
})

describe('malformed files throw SafetensorsFormatError', () => {
  const data8 = new Uint8Array(8)

  it('file shorter than 8 bytes', () => expectFormatError(new Uint8Array(5), 'shorter than the 8-byte header length'))

  // Issue 14: a field nested 100,000 deep overflowed the stack in the code quoting it in the error message, and the
  // reader threw a bare RangeError (reproduced at 51af3c0 for shape, dtype and data_offsets).
  it.each(['shape', 'dtype', 'data_offsets'])('a %s nested 100,000 deep', (field) => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    const entry: Record<string, string> = { dtype: '"F32"', shape: '[1]', data_offsets: '[0, 4]', [field]: deep }
    const header = `{"w": {${Object.entries(entry).map(([k, v]) => `"${k}": ${v}`).join(', ')}}}`
    expectFormatError(rawFile(header, new Uint8Array(4)), 'the header is JSON nested more than 64 levels deep')
  })

  it('header length of 2^60 fails fast, before allocating', () => {
    const bytes = rawFile({}, new Uint8Array(), 2n ** 60n)
    const start = performance.now()
    expectFormatError(bytes, /header length is 1152921504606846976 bytes but only \d+ bytes follow/)
    expect(performance.now() - start).toBeLessThan(1000) // a sanity bound against hangs, not a benchmark
  })

  it('header length beyond the end of the file', () => expectFormatError(rawFile({}, new Uint8Array(), 100n), 'only 2 bytes follow'))

  it('header too short to be an object', () => expectFormatError(rawFile('{}', new Uint8Array(), 0n), 'must be a JSON object'))

  it('header that is not UTF-8', () => {
    const bytes = rawFile('{"a":1}')
    bytes[10] = 0xff
    expectFormatError(bytes, 'not valid UTF-8')
  })

  it('header that is not JSON', () => expectFormatError(rawFile('{"a": '), 'not valid JSON'))

  it('header that is not an object', () => {
    expectFormatError(rawFile('[1, 2]'), 'got an array')
    expectFormatError(rawFile('null'), 'got null')
    expectFormatError(rawFile('42'), 'got number')
  })

  it('tensor entry that is not an object', () => expectFormatError(rawFile({ x: [1, 2] }), 'tensor "x" must be an object'))

  it('unknown dtype, naming it and the supported ones', () => {
    expectFormatError(rawFile({ x: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /unknown dtype "Q4"; supported dtypes are F32, F16, BF16/)
    expectFormatError(rawFile({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data8), /tensor "x" has unsupported dtype "I64"/)
  })

  it('shape that is not an array of non-negative integers', () => {
    for (const shape of [[-1], [1.5], ['2'], 3, null]) {
      expectFormatError(rawFile({ x: { dtype: 'F32', shape, data_offsets: [0, 8] } }, data8), 'a shape must be an array of non-negative integers')
    }
  })

  it('data_offsets that are not [begin, end] integers', () => {
    for (const offsets of [[0], [0, 4, 8], [0, '8'], [-4, 4], [0.5, 8], 'x']) {
      expectFormatError(rawFile({ x: { dtype: 'F32', shape: [2], data_offsets: offsets } }, data8), 'they must be [begin, end]')
    }
  })

  it('begin after end', () => expectFormatError(rawFile(f32('x', [0], 8, 4), data8), 'data_offsets [8, 4] with begin after end'))

  it('end beyond the data section', () => expectFormatError(rawFile(f32('x', [4], 0, 16), data8), 'ends at byte 16 of the data section, which has only 8 bytes'))

  it('byte size that does not match the shape', () => {
    expectFormatError(rawFile(f32('x', [3], 0, 8), data8), 'has 8 bytes of data but shape [3] of F32 needs 12')
    expectFormatError(rawFile(f32('x', [2 ** 40, 2 ** 40], 0, 8), data8), 'needs over 2^53')
  })

  it('overlaps, gaps and unreferenced bytes, as the reference reader refuses them', () => {
    const data = new Uint8Array(16)
    expectFormatError(rawFile({ ...f32('a', [2], 0, 8), ...f32('b', [2], 4, 12) }, data), 'tensor "b" starts at byte 4 of the data section but tensor "a" ends at 8: the offsets must be contiguous (overlap)')
    expectFormatError(rawFile({ ...f32('a', [1], 0, 4), ...f32('b', [1], 8, 12), ...f32('e', [0], 4, 4) }, data), 'tensor "b" starts at byte 8 of the data section but tensor "e" ends at 4: the offsets must be contiguous (gap)')
    expectFormatError(rawFile(f32('a', [1], 4, 8), new Uint8Array(8)), 'starts at byte 4 of the data section but the start of the data section')
    expectFormatError(rawFile({ ...f32('a', [2], 0, 8), ...f32('b', [1], 8, 12) }, data), 'the tensors cover 12 bytes of the data section but it has 16')
    const exact = readSafetensors(rawFile({ ...f32('a', [1], 0, 4), ...f32('e', [0], 4, 4), ...f32('b', [3], 4, 16) }, data))
    expect([...exact.tensors.keys()]).toEqual(['a', 'e', 'b'])
  })

  it('a byte inserted into the data, or a header length one short, is refused rather than read shifted', () => {
    const good = writeSafetensors({ a: { shape: [2], data: Float32Array.of(1, 2) }, b: { shape: [2], data: Float32Array.of(3, 4) } })
    expect(Array.from(readSafetensors(good).tensors.get('b')!.data)).toEqual([3, 4])
    const headerLength = Number(new DataView(good.buffer).getBigUint64(0, true))
    const inserted = new Uint8Array(good.length + 1)
    inserted.set(good.subarray(0, 8 + headerLength + 4))
    inserted.set(good.subarray(8 + headerLength + 4), 8 + headerLength + 5)
    expectFormatError(inserted, 'the tensors cover 16 bytes of the data section but it has 17')
    const short = good.slice()
    new DataView(short.buffer).setBigUint64(0, BigInt(headerLength - 1), true)
    expectFormatError(short, /the tensors cover 16 bytes of the data section but it has 17|not valid JSON/)
  })

  it('metadata that is not an object of strings', () => {
    expectFormatError(rawFile({ __metadata__: { format: 1 } }), '"__metadata__" value for "format" must be a string')
    expectFormatError(rawFile({ __metadata__: ['pt'] }), '"__metadata__" must be an object of strings')
    expect(readSafetensors(rawFile({ __metadata__: null })).metadata).toEqual({})
  })
})
