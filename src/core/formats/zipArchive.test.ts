// The checked zip reader: what fflate writes reads back byte for byte, and each hostile archive the fuzzing pass
// found (issue 14) is refused quickly with a named reason: a zip64 record claiming 2³²−1 entries, sizes past the
// limits, data that inflates past its declared size, a CRC mismatch, duplicate names.
import { deflateSync, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { CancelledError, InvalidArgumentError } from '../errors.ts'
import { zip64Bomb } from './testing/zip64Bomb.ts'
import { crc32, extractZipEntries, listZipEntries } from './zipArchive.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Pseudo-random bytes (incompressible), deterministic. */
function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    out[i] = x >>> 24
  }
  return out
}

/** Offset of the first central-directory header (to patch fields the way a hostile writer would). */
const centralAt = (zip: Uint8Array): number => {
  const view = new DataView(zip.buffer, zip.byteOffset)
  for (let i = zip.length - 22; i >= 0; i--) if (view.getUint32(i, true) === 0x06054b50) return view.getUint32(i + 16, true)
  throw new Error('no EOCD')
}

async function refusal(zip: Uint8Array, wanted?: (name: string) => boolean): Promise<string> {
  const err = await extractZipEntries(zip, 'test.zip', wanted).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(InvalidArgumentError)
  return (err as Error).message
}

describe('extractZipEntries', () => {
  it('reads back what fflate writes, deflated or stored, with folders and empty files', async () => {
    const files = { 'sae/cfg.json': text('{"d_in": 4}'), 'sae/sae_weights.safetensors': noise(20_000), 'sae/empty.txt': new Uint8Array(0) }
    for (const level of [0, 1, 6] as const) {
      const entries = await extractZipEntries(zipSync(files, { level }), 'test.zip')
      expect(Object.fromEntries(entries.map((e) => [e.name, e.data]))).toEqual(files)
    }
  })

  it('CRC-32 matches the standard check value', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array(0))).toBe(0)
  })

  it('refuses a 194-byte zip whose zip64 record claims 2^32 - 1 entries, without walking them', () => {
    const bomb = zip64Bomb()
    expect(bomb.length).toBe(194)
    // These bytes spun fflate's unzipSync (what the SAE loader called before) past a 20 s timeout.
    expect(() => listZipEntries(bomb, 'bomb.zip')).toThrow('bomb.zip is not a readable zip file: it claims 4294967295 entries; at most 4096 are read')
    // Under the entry limit, the count is still checked against the room the directory has.
    expect(() => listZipEntries(zip64Bomb(4000n), 'bomb.zip')).toThrow('it claims 4000 entries but its central directory has room for 1')
  })

  it('refuses an entry that declares more than the limit, before inflating anything', async () => {
    const zip = zipSync({ 'a.bin': new Uint8Array(1000) })
    const message = await extractZipEntries(zip, 'big.zip', undefined, { limits: { maxEntries: 10, maxInflatedBytes: 999 } }).catch((e: Error) => e.message)
    expect(message).toBe('big.zip is not a readable zip file: "a.bin" inflates to 1000 bytes; at most 999 are read')
    const two = zipSync({ 'a.bin': new Uint8Array(600), 'b.bin': new Uint8Array(600) })
    const total = await extractZipEntries(two, 'two.zip', undefined, { limits: { maxEntries: 10, maxInflatedBytes: 1000 } }).catch((e: Error) => e.message)
    expect(total).toMatch(/the entries wanted inflate to 1200 bytes; at most 1000 are read/)
  })

  it('stops an entry that inflates past its declared size (a bomb lying in its directory)', async () => {
    const zip = zipSync({ 'bomb.bin': new Uint8Array(10_000_000) }, { level: 1 })
    expect(zip.length).toBeLessThan(60_000)
    const at = centralAt(zip)
    new DataView(zip.buffer).setUint32(at + 24, 1000, true) // claims 1000 bytes
    expect(await refusal(zip)).toMatch(/"bomb\.bin" inflates past the 1000 bytes the directory declares/)
  })

  it('refuses data that fails its CRC-32, and a truncated archive', async () => {
    const zip = zipSync({ 'a.bin': noise(1000) }, { level: 0 })
    const damaged = zip.slice()
    damaged[30 + 'a.bin'.length + 500]! ^= 0xff // a byte in the stored data
    expect(await refusal(damaged)).toMatch(/"a\.bin" fails its CRC-32 check/)
    expect(await refusal(zip.slice(0, zip.length - 30))).toMatch(/no end-of-central-directory record/)
  })

  it('refuses two entries with the same name', async () => {
    const zip = zipSync({ 'x/cfg.json': text('{}'), 'y/cfg.json': text('{}') })
    const at = centralAt(zip)
    // Rename the first entry to the second's name in the central directory.
    zip.set(text('y'), at + 46)
    expect(await refusal(zip)).toMatch(/it holds two entries named "y\/cfg\.json"/)
  })

  it('inflates only the wanted entries: a damaged unwanted one does not matter', async () => {
    const zip = zipSync({ 'keep.txt': text('hello'), 'junk.bin': noise(5000) }, { level: 0 })
    // Corrupt junk.bin's data: reading it would fail its CRC.
    const junkAt = zip.indexOf(0x6a, 30 + 'keep.txt'.length + 5) // the "j" of its local header name
    zip[junkAt + 'junk.bin'.length + 100]! ^= 0xff
    const entries = await extractZipEntries(zip, 'test.zip', (name) => name === 'keep.txt')
    expect(entries.map((e) => e.name)).toEqual(['keep.txt'])
    expect(await refusal(zip)).toMatch(/"junk\.bin" fails its CRC-32 check/)
  })

  it('refuses unknown compression methods and encrypted entries by name', async () => {
    const zip = zipSync({ 'a.txt': text('abc') }, { level: 0 })
    const at = centralAt(zip)
    const method = zip.slice()
    new DataView(method.buffer).setUint16(at + 10, 14, true) // LZMA
    expect(await refusal(method)).toMatch(/"a\.txt" uses compression method 14/)
    const encrypted = zip.slice()
    new DataView(encrypted.buffer).setUint16(at + 8, 1, true)
    expect(await refusal(encrypted)).toMatch(/"a\.txt" is encrypted/)
  })

  it('yields to the event loop while inflating, and can be cancelled', async () => {
    const zip = zipSync({ 'big.bin': noise(500_000) }, { level: 1 })
    const order: string[] = []
    setTimeout(() => order.push('timer'), 0)
    await extractZipEntries(zip, 'test.zip').then(() => order.push('done'))
    expect(order).toEqual(['timer', 'done']) // a synchronous unzip would finish before any timer ran

    const controller = new AbortController()
    const pending = extractZipEntries(zip, 'test.zip', undefined, { signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toBeInstanceOf(CancelledError)
  })

  it('a raw deflate stream that is damaged is refused, not thrown raw', async () => {
    const good = zipSync({ 'a.bin': noise(20_000) }, { level: 6 })
    const packedStart = 30 + 'a.bin'.length
    const damaged = good.slice()
    damaged.set(deflateSync(text('other')).subarray(0, 4), packedStart) // garbage block header
    const message = await refusal(damaged)
    expect(message).toMatch(/"a\.bin" (is damaged|inflates|fails its CRC-32|ends before)/)
  })
})
