// Picked SAE files: a zip of a SAELens folder reads as the folder's own files (byte for byte), loose files pass
// through, and a damaged zip is refused with a clear error.
import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { CancelledError, InvalidArgumentError } from '../core/errors.ts'
import { zip64Bomb } from '../core/formats/testing/zip64Bomb.ts'
import { INPUT_LIMITS } from '../core/limits.ts'
import { readSaeLensFolder, saeLensFiles } from '../core/sae/saelens.ts'
import { zipFolder } from '../core/sae/saeZip.ts'
import { randomArray } from '../core/sae/testing/random.ts'
import { defaultSaeConfig } from '../core/sae/types.ts'
import { pickedFilesSource } from './saeFiles.ts'

const config = defaultSaeConfig('standard', 4, 6)
const files = saeLensFiles(config, { wEnc: randomArray(24, 1), wDec: randomArray(24, 2), bEnc: randomArray(6, 3), bDec: randomArray(4, 4), threshold: null })

describe('pickedFilesSource', () => {
  it('opens a zipped SAELens folder into its files', async () => {
    const zip = zipFolder('my sae', files)
    const source = await pickedFilesSource([{ name: 'my-sae.zip', data: new Blob([zip as Uint8Array<ArrayBuffer>]) }])
    expect(source.description).toContain('my-sae.zip')
    const weights = await source.fetchBytes('sae_weights.safetensors')
    expect(weights).toEqual(files['sae_weights.safetensors'])
    const folder = readSaeLensFolder({ cfg: await source.fetchText('cfg.json'), weights })
    expect(folder.config.dSae).toBe(6)
    expect(await source.exists('sparsity.safetensors')).toBe(false)
  })

  it('passes loose files through and refuses a damaged zip', async () => {
    const loose = await pickedFilesSource([{ name: 'cfg.json', data: new TextEncoder().encode(files['cfg.json'] as string) }])
    expect(await loose.exists('cfg.json')).toBe(true)
    const zip = zipFolder('x', files)
    await expect(pickedFilesSource([{ name: 'broken.zip', data: zip.slice(0, zip.length - 40) }])).rejects.toThrow(/broken\.zip is not a readable zip file/)
    await expect(pickedFilesSource([])).rejects.toThrow(/No files chosen/)
  })

  it('refuses a zip of two SAE folders instead of picking one cfg.json silently', async () => {
    const two = zipSync({ 'a/cfg.json': strToU8(files['cfg.json'] as string), 'b/cfg.json': strToU8(files['cfg.json'] as string) })
    const source = await pickedFilesSource([{ name: 'two.zip', data: two }])
    await expect(source.fetchText('cfg.json')).rejects.toThrow('2 of the chosen files are named cfg.json (a/cfg.json, b/cfg.json): choose one SAE folder')
  })

  it('stops unzipping when its signal aborts', async () => {
    const controller = new AbortController()
    controller.abort()
    const zip = zipFolder('x', files)
    await expect(pickedFilesSource([{ name: 'x.zip', data: zip }], controller.signal)).rejects.toBeInstanceOf(CancelledError)
  })

  it('a read from picked files rejects with CancelledError once its signal aborts (the FileSource contract)', async () => {
    const source = await pickedFilesSource([{ name: 'cfg.json', data: strToU8(files['cfg.json'] as string) }])
    const abort = new AbortController()
    abort.abort()
    await expect(source.fetchBytes('cfg.json', { signal: abort.signal })).rejects.toBeInstanceOf(CancelledError)
  })

  it('refuses a picked file over its size ceiling by its size, before reading a byte', async () => {
    // A Blob that claims many GB and fails the test if it is ever read: reading is what takes a tab down.
    const huge = (size: number): Blob => {
      const blob = new Blob([])
      Object.defineProperty(blob, 'size', { value: size })
      blob.arrayBuffer = () => Promise.reject(new Error('read a file that should have been refused by its size'))
      return blob
    }
    const weights = INPUT_LIMITS.downloadBytes + 1
    const source = await pickedFilesSource([{ name: 'cfg.json', data: huge(INPUT_LIMITS.jsonBytes + 1) }, { name: 'sae_weights.safetensors', data: huge(weights) }])
    await expect(source.fetchText('cfg.json')).rejects.toThrow(`cfg.json is ${INPUT_LIMITS.jsonBytes + 1} bytes, over the ${INPUT_LIMITS.jsonBytes}-byte limit for this file`)
    await expect(source.fetchBytes('sae_weights.safetensors')).rejects.toThrow(`sae_weights.safetensors is ${weights} bytes, over the ${INPUT_LIMITS.downloadBytes}-byte limit`)
    await expect(pickedFilesSource([{ name: 'big.zip', data: huge(INPUT_LIMITS.zipInflatedBytes + 1) }])).rejects.toBeInstanceOf(InvalidArgumentError)
    // At the ceiling it is read (the check is not off by one).
    const atLimit = await pickedFilesSource([{ name: 'cfg.json', data: huge(INPUT_LIMITS.jsonBytes) }])
    await expect(atLimit.fetchText('cfg.json')).rejects.toThrow('read a file that should have been refused by its size')
  })

  it('refuses the zip64 bomb a user might drop, at once (it spun the loader before)', async () => {
    await expect(pickedFilesSource([{ name: 'bomb.zip', data: zip64Bomb() }])).rejects.toThrow('bomb.zip is not a readable zip file: it claims 4294967295 entries')
  })
})
