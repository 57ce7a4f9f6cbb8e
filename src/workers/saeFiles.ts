// Picked SAE files as a FileSource, with zips opened: a SAELens folder exported as a zip (by the training panel, or
// zipped by hand) loads exactly like the folder's own files.
import { InvalidArgumentError } from '../core/errors.ts'
import { INPUT_LIMITS } from '../core/limits.ts'
import { SAE_CFG_FILENAME, SAE_WEIGHTS_FILENAME, SPARSITY_FILENAME } from '../core/sae/saelens.ts'
import { isZipName, unzipFiles } from '../core/sae/saeZip.ts'
import type { FileSource } from '../core/sources/types.ts'
import { createMemorySource, pickedBytes, type PickedFile } from './memorySource.ts'

/** The files an SAE folder is read from; a zip's other entries are never inflated. */
const SAE_FILES = new Set([SAE_CFG_FILENAME, SAE_WEIGHTS_FILENAME, SPARSITY_FILENAME])
const isSaeFile = (path: string): boolean => SAE_FILES.has(path.split('/').pop() ?? path)

/** Every zip among `files` replaced by its SAE entries (matched by base name, as picked folders are). */
export async function expandZips(files: readonly PickedFile[], signal?: AbortSignal): Promise<PickedFile[]> {
  const out: PickedFile[] = []
  for (const file of files) {
    // A zip can hold no more than its entries may inflate to (stored entries are their own size).
    if (isZipName(file.name)) out.push(...(await unzipFiles(await pickedBytes(file, INPUT_LIMITS.zipInflatedBytes), file.name, isSaeFile, { signal })))
    else out.push(file)
  }
  return out
}

/** `signal` cancels unzipping (it yields between steps, so a cancel lands within one step). */
export async function pickedFilesSource(files: readonly PickedFile[], signal?: AbortSignal): Promise<FileSource> {
  if (files.length === 0) throw new InvalidArgumentError('No files chosen: an SAE needs cfg.json and sae_weights.safetensors (or a zip of them)')
  const zips = files.filter((f) => isZipName(f.name)).map((f) => f.name)
  const expanded = await expandZips(files, signal)
  return createMemorySource(expanded, zips.length > 0 ? zips.join(', ') : undefined)
}
