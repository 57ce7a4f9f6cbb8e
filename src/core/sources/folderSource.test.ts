// Folder sources on a temporary directory, and resolveSource's choice of kind.
import { mkdtemp, mkdir, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CancelledError, SourceNetworkError, SourceNotFoundError, SourceSpecError } from '../errors.ts'
import { createFolderSource } from './folderSource.ts'
import { resolveSource } from './resolveSource.ts'
import type { ProgressEvent } from './types.ts'

const rejection = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => Promise.reject(new Error('expected a rejection')),
    (e: unknown) => e as Error,
  )

describe('createFolderSource', () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'monoscope-folder-'))
    await writeFile(path.join(root, 'config.json'), '{"n_layer": 2}')
    await writeFile(path.join(root, 'weights.bin'), Uint8Array.of(1, 2, 3, 250))
    await mkdir(path.join(root, 'saes', 'layer2'), { recursive: true })
    await writeFile(path.join(root, 'saes', 'layer2', 'cfg.json'), '{"d_sae": 8}')
  })
  afterAll(() => rm(root, { recursive: true, force: true }))

  it('reads bytes and text as plain Uint8Arrays, with one progress event', async () => {
    const source = createFolderSource(root)
    expect(source.kind).toBe('folder')
    expect(source.description).toBe(root)
    const events: ProgressEvent[] = []
    const bytes = await source.fetchBytes('weights.bin', { onProgress: (e) => events.push(e) })
    expect(bytes.constructor).toBe(Uint8Array)
    expect(Array.from(bytes)).toEqual([1, 2, 3, 250])
    expect(events).toEqual([{ file: 'weights.bin', loaded: 4, total: 4 }])
    expect(JSON.parse(await source.fetchText('config.json'))).toEqual({ n_layer: 2 })
  })

  it('reads subfolders and answers exists()', async () => {
    const sae = createFolderSource(root).subfolder('saes').subfolder('layer2/')
    expect(sae.description).toBe(`${root}/saes/layer2`)
    expect(await sae.fetchText('cfg.json')).toBe('{"d_sae": 8}')
    expect(await sae.exists('cfg.json')).toBe(true)
    expect(await sae.exists('sparsity.safetensors')).toBe(false)
    expect(await createFolderSource(root).exists('saes')).toBe(false) // a folder is not a file
  })

  it('turns a missing file into SourceNotFoundError naming it and the folder', async () => {
    const err = await rejection(createFolderSource(root).fetchBytes('tokenizer.json'))
    expect(err).toBeInstanceOf(SourceNotFoundError)
    expect(err.message).toContain(`tokenizer.json was not found in folder ${root}`)
    await expect(createFolderSource(path.join(root, 'nope')).fetchBytes('config.json')).rejects.toThrow(SourceNotFoundError)
  })

  it('refuses a file over its size limit before reading it (a sparse 300 MB config.json)', async () => {
    const big = await mkdtemp(path.join(tmpdir(), 'monoscope-big-'))
    await truncate(path.join(big, 'config.json'), 300 * 1024 * 1024).catch(async () => {
      await writeFile(path.join(big, 'config.json'), '')
      await truncate(path.join(big, 'config.json'), 300 * 1024 * 1024)
    })
    await expect(createFolderSource(big).fetchBytes('config.json')).rejects.toThrow(SourceNetworkError)
    await expect(createFolderSource(big).fetchBytes('config.json')).rejects.toThrow(/config\.json in folder .* is 314572800 bytes, over the 268435456-byte limit for this file/)
    await rm(big, { recursive: true, force: true })
  })

  it('rejects paths that climb out, and aborted reads', async () => {
    await expect(createFolderSource(root).fetchBytes('../etc/passwd')).rejects.toThrow(SourceSpecError)
    await expect(createFolderSource(root).fetchBytes('config.json', { signal: AbortSignal.abort() })).rejects.toThrow(CancelledError)
  })
})

describe('resolveSource', () => {
  it('picks the kind from the spec', () => {
    expect(resolveSource('hf:gpt2').kind).toBe('hub')
    expect(resolveSource('https://example.com/models/tiny').kind).toBe('url')
    expect(resolveSource('HTTP://127.0.0.1:1/x').kind).toBe('url')
    expect(resolveSource('./public/models/tinyworld').kind).toBe('folder')
    expect(() => resolveSource('  ')).toThrow(SourceSpecError)
  })
})
