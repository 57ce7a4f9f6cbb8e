// SAELens folders as one zip (the browser's download, and what the loader reads back): fflate, no DOM, so it
// runs in workers and in Node tests alike.
import { unzipSync, zipSync, strToU8 } from 'fflate'
import { InvalidArgumentError } from '../errors.ts'

export type ZipEntries = Record<string, string | Uint8Array>

/** One zip holding `files` inside a folder named `folder` (unzipping gives a SAELens folder, as SAELens saves). */
export function zipFolder(folder: string, files: ZipEntries): Uint8Array {
  const clean = folder.replace(/[^\w.-]+/g, '_') || 'sae'
  const entries: Record<string, Uint8Array> = {}
  for (const [name, data] of Object.entries(files)) entries[`${clean}/${name}`] = typeof data === 'string' ? strToU8(data) : data
  // Safetensors barely compress (float noise); level 1 keeps export fast.
  return zipSync(entries, { level: 1 })
}

export const isZipName = (name: string): boolean => /\.zip$/i.test(name)

/** The files of a zip, by their path inside it (directories left out). Throws InvalidArgumentError on a damaged zip. */
export function unzipFiles(bytes: Uint8Array, label = 'the zip'): { name: string; data: Uint8Array }[] {
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(bytes)
  } catch (err) {
    throw new InvalidArgumentError(`${label} is not a readable zip file (${err instanceof Error ? err.message : String(err)})`)
  }
  return Object.entries(entries)
    .filter(([name]) => !name.endsWith('/') && !name.startsWith('__MACOSX/'))
    .map(([name, data]) => ({ name, data }))
}
