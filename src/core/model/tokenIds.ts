// The forward pass's token-id check: a batch of equal-length rows of integer ids inside the vocabulary, flattened.
import { InvalidArgumentError } from '../errors.ts'

/** Validates `ids` (clear errors naming the bad sequence and position) and flattens them row-major. */
export function checkTokenIds(ids: number[][], vocab: number): { batch: number; pos: number; flat: Int32Array } {
  if (!Array.isArray(ids) || ids.length === 0) throw new InvalidArgumentError('Token ids must be a non-empty array of sequences (number[][])')
  const first = ids[0]
  if (!Array.isArray(first) || first.length === 0) throw new InvalidArgumentError('Each sequence needs at least one token id')
  const pos = first.length
  const flat = new Int32Array(ids.length * pos)
  ids.forEach((row, b) => {
    if (!Array.isArray(row) || row.length !== pos) {
      throw new InvalidArgumentError(`Sequences in a batch must have equal lengths: sequence 0 has ${pos}, sequence ${b} has ${Array.isArray(row) ? row.length : 'none'}`)
    }
    row.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new InvalidArgumentError(`Token id ${id} (sequence ${b}, position ${i}) is outside the vocabulary [0, ${vocab})`)
      }
      flat[b * pos + i] = id
    })
  })
  return { batch: ids.length, pos, flat }
}
