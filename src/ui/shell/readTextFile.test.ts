// Picked text files: read when within the ceiling, refused by size (before reading) above it, and a failed read
// becomes a message that names the file.
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../core/errors.ts'
import { INPUT_LIMITS } from '../../core/limits.ts'
import { readTextFile } from './readTextFile.ts'

/** A file that claims `size` bytes and fails the test if read. */
function unreadable(name: string, size: number): File {
  const file = new File([], name)
  Object.defineProperty(file, 'size', { value: size })
  file.text = () => Promise.reject(new Error('NotReadableError: the file changed after it was picked'))
  return file
}

describe('readTextFile', () => {
  it('reads a file within the ceiling', async () => {
    expect(await readTextFile(new File(['the cat sat\nthe dog ran\n'], 'corpus.txt'))).toBe('the cat sat\nthe dog ran\n')
  })

  it('refuses a file over the ceiling by its size, without reading it', async () => {
    const big = unreadable('web.txt', 3 * 1024 ** 3)
    await expect(readTextFile(big)).rejects.toThrow('web.txt is 3.0 GB, over the 256 MB limit for a text file: split it or pick a smaller one')
    await expect(readTextFile(new File(['12345'], 'five.txt'), 4)).rejects.toBeInstanceOf(InvalidArgumentError)
    expect(await readTextFile(new File(['1234'], 'four.txt'), 4)).toBe('1234') // at the ceiling it is read
    expect(INPUT_LIMITS.textFileBytes).toBe(256 * 1024 * 1024)
  })

  it('names the file when the browser cannot read it', async () => {
    await expect(readTextFile(unreadable('gone.txt', 10))).rejects.toThrow('gone.txt could not be read: NotReadableError: the file changed after it was picked')
  })
})
