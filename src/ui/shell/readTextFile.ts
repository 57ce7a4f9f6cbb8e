// A picked text file's contents, refused by size first: \`File.text()\` on a file of several GB throws deep in the
// browser or takes the tab down, and an unreadable file should say so where it was picked, not fail silently.
import { InvalidArgumentError } from '../../core/errors.ts'
import { INPUT_LIMITS } from '../../core/limits.ts'
import { formatBytes } from '../loader/format.ts'

export async function readTextFile(file: Blob & { readonly name: string }, maxBytes: number = INPUT_LIMITS.textFileBytes): Promise<string> {
  if (file.size > maxBytes) throw new InvalidArgumentError(`${file.name} is ${formatBytes(file.size)}, over the ${formatBytes(maxBytes)} limit for a text file: split it or pick a smaller one`)
  try {
    return await file.text()
  } catch (err) {
    throw new InvalidArgumentError(`${file.name} could not be read: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** The message to show beside the file input. */
export const readErrorText = (err: unknown): string => (err instanceof Error ? err.message : String(err))
