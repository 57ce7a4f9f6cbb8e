// A local folder (Node only: the CLI, tests). node:fs is imported inside functions so browser bundles never pull it in.
import { CancelledError, SourceNetworkError, SourceNotFoundError, SourceSpecError } from '../errors.ts'
import { maxFileBytes } from '../limits.ts'
import { pathSegments } from './paths.ts'
import { defineSource, type FileSource } from './types.ts'

export const isNode = (): boolean =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string'

const errorCode = (err: unknown): string | undefined => (err as { code?: unknown } | null)?.code as string | undefined

export function createFolderSource(root: string): FileSource {
  if (!isNode()) {
    throw new SourceSpecError(`"${root}" looks like a local folder, which only Node can read: in the browser use a URL or hf:owner/name`)
  }
  if (root === '') throw new SourceSpecError('The folder path is empty')
  return folderSourceAt(root, [])
}

function folderSourceAt(root: string, prefix: string[]): FileSource {
  const description = prefix.length ? `${root.replace(/[\\/]+$/, '')}/${prefix.join('/')}` : root
  const fullPath = async (file: string) => {
    const path = await import('node:path')
    return path.join(root, ...prefix, ...pathSegments(file))
  }

  return defineSource({
    kind: 'folder',
    description,
    async fetchBytes(file, opts = {}) {
      const fullName = await fullPath(file)
      const fs = await import('node:fs/promises')
      let buf: Buffer
      try {
        opts.signal?.throwIfAborted()
        // The same per-file ceiling as a download, checked before reading: a 300 MB "config.json" is not one.
        const { size } = await fs.stat(fullName)
        const maxBytes = maxFileBytes(file)
        if (size > maxBytes) throw new SourceNetworkError(`${file} in folder ${description} is ${size} bytes, over the ${maxBytes}-byte limit for this file (${fullName})`)
        buf = await fs.readFile(fullName, { signal: opts.signal })
      } catch (err) {
        if (err instanceof SourceNetworkError) throw err
        if (opts.signal?.aborted) throw new CancelledError(`Cancelled while reading ${file} from ${description}`)
        const code = errorCode(err)
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
          throw new SourceNotFoundError(`${file} was not found in folder ${description} (${fullName}, ${code})`)
        }
        // SOURCE_NETWORK is the transport-failure code for every kind of source; for a folder the transport is the disk.
        throw new SourceNetworkError(`Could not read ${fullName}: ${(err as Error).message}`, err)
      }
      // A plain Uint8Array: Buffer's slice() shares memory where Uint8Array's copies, which would surprise callers.
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
      opts.onProgress?.({ file, loaded: bytes.length, total: bytes.length })
      return bytes
    },
    async exists(file, opts = {}) {
      const fullName = await fullPath(file)
      if (opts.signal?.aborted) throw new CancelledError(`Cancelled while looking for ${file} in ${description}`)
      const fs = await import('node:fs/promises')
      try {
        return (await fs.stat(fullName)).isFile()
      } catch (err) {
        const code = errorCode(err)
        if (code === 'ENOENT' || code === 'ENOTDIR') return false
        throw new SourceNetworkError(`Could not check ${fullName}: ${(err as Error).message}`, err)
      }
    },
    subfolder: (path) => folderSourceAt(root, [...prefix, ...pathSegments(path, 'subfolder')]),
  })
}
