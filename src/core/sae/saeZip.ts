// SAELens folders as one zip (the browser's download, and what the loader reads back): fflate writes, the checked
// reader in formats/zipArchive.ts reads; no DOM, so both run in workers and in Node tests alike.
import { zipSync, strToU8 } from 'fflate'
import { extractZipEntries, type ExtractOptions } from '../formats/zipArchive.ts'

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

/**
 * The files of a zip that `wanted` picks, by their path inside it (directories and macOS metadata left out), each
 * checked against its size and CRC-32. Throws InvalidArgumentError on a damaged or oversized zip.
 */
export async function unzipFiles(
  bytes: Uint8Array,
  label = 'the zip',
  wanted: (name: string) => boolean = () => true,
  opts: ExtractOptions = {},
): Promise<{ name: string; data: Uint8Array }[]> {
  return extractZipEntries(bytes, label, (name) => !name.startsWith('__MACOSX/') && wanted(name), opts)
}
