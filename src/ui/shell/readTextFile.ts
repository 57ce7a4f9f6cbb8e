// A picked text file's contents, refused by size first: \`File.text()\` on a file of several GB throws deep in the
// browser or takes the tab down, and an unreadable file should say so where it was picked, not fail silently.
import { InvalidArgumentError, serializeError } from '../../core/errors.ts'
import { INPUT_LIMITS } from '../../core/limits.ts'
import { formatBytes } from '../loader/format.ts'

export async function readTextFile(file: Blob & { readonly name: string }, maxBytes: number = INPUT_LIMITS.textFileBytes): Promise<string> {
  if (file.size > maxBytes) throw new InvalidArgumentError(`${file.name} is ${formatBytes(file.size)}, over the ${formatBytes(maxBytes)} limit for a text file: split it or pick a smaller one`)
  try {
    return await file.text()
  } catch (err) {
    throw new InvalidArgumentError(`${file.name} could not be read: ${serializeError(err).message}`)
  }
}
