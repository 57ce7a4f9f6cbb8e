// Text files named on the command line (corpora, prompt lists, JSON): their size is checked before a byte is read, so
// a wrong path to a huge file fails at once with a typed error (exit 2) instead of filling memory. The ceiling is the
// app's own for picked text files (INPUT_LIMITS.textFileBytes). Missing or unreadable files are mapped by main.ts
// ("cannot open PATH: …"): the file is opened first, then measured and read through the same handle.
import { open } from 'node:fs/promises'
import { InvalidArgumentError } from '../core/errors.ts'
import { INPUT_LIMITS } from '../core/limits.ts'

export async function readTextFileCapped(file: string, flag: string, maxBytes: number = INPUT_LIMITS.textFileBytes): Promise<string> {
  const handle = await open(file, 'r')
  try {
    const stats = await handle.stat()
    if (stats.isFile() && stats.size > maxBytes) {
      throw new InvalidArgumentError(`${flag} ${file} is ${(stats.size / 2 ** 20).toFixed(0)} MiB, over the ${(maxBytes / 2 ** 20).toFixed(0)} MiB limit for a text file`)
    }
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}
