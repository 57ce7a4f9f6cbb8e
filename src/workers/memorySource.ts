// A FileSource over files the user picked or dropped (File/Blob or bytes), matched by base name, so the SAELens
// loader reads them exactly as it reads a folder or a URL.
import { CancelledError, InvalidArgumentError, SourceNotFoundError } from '../core/errors.ts'
import { maxFileBytes } from '../core/limits.ts'
import { defineSource, type FileSource } from '../core/sources/types.ts'

export interface PickedFile {
  name: string
  data: Blob | ArrayBuffer | Uint8Array
}

/** 'models/x/cfg.json' and 'cfg.json' both answer to 'cfg.json': a picked folder gives relative paths. */
const baseName = (name: string): string => name.split(/[\\/]/).pop() ?? name

const sizeOf = (data: PickedFile['data']): number => (data instanceof Blob ? data.size : data.byteLength)

/**
 * A picked file's bytes, refused by size first: reading a file of many GB into one ArrayBuffer throws a bare
 * RangeError or takes the worker down, so the same per-file ceiling as a download or a folder read applies.
 */
export async function pickedBytes(file: PickedFile, maxBytes: number): Promise<Uint8Array> {
  const size = sizeOf(file.data)
  if (size > maxBytes) throw new InvalidArgumentError(`${file.name} is ${size} bytes, over the ${maxBytes}-byte limit for this file`)
  const { data } = file
  if (data instanceof Uint8Array) return data
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(await data.arrayBuffer())
}

export function createMemorySource(files: readonly PickedFile[], description = files.map((f) => baseName(f.name)).join(', ')): FileSource {
  const byName = new Map<string, PickedFile[]>()
  for (const f of files) byName.set(baseName(f.name), [...(byName.get(baseName(f.name)) ?? []), f])
  return defineSource({
    kind: 'folder',
    description: `local files (${description})`,
    async fetchBytes(file, opts) {
      const matches = byName.get(baseName(file)) ?? []
      // Two cfg.json (a zip of two SAE folders, say) would make the loader pick one silently: refuse and name them.
      if (matches.length > 1) throw new InvalidArgumentError(`${matches.length} of the chosen files are named ${baseName(file)} (${matches.map((m) => m.name).join(', ')}): choose one SAE folder`)
      const picked = matches[0]
      if (picked === undefined) throw new SourceNotFoundError(`${file} is not among the chosen files (${description || 'none'})`)
      // The contract's CancelledError, not the signal's bare AbortError (which reaches the user as UNKNOWN).
      if (opts?.signal?.aborted) throw new CancelledError(`Cancelled while reading ${file} from ${description}`)
      const bytes = await pickedBytes(picked, maxFileBytes(file))
      opts?.onProgress?.({ file, loaded: bytes.byteLength, total: bytes.byteLength })
      return bytes
    },
    exists: async (file) => byName.has(baseName(file)),
    // Picked files are flat: a subfolder of them is the same set.
    subfolder: () => createMemorySource(files, description),
  })
}
