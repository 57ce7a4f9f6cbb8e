// Checks against INPUT_LIMITS that several readers and stores share (limits.ts itself holds only the numbers, so
// the error classes can import it without a cycle).
import { InvalidArgumentError } from './errors.ts'
import { INPUT_LIMITS } from './limits.ts'

const GiB = 1024 ** 3

/** Refuses `rows` float32 rows of `width` values past INPUT_LIMITS.activationBytes, naming what would hold them. */
export function checkActivationRows(rows: number, width: number, what: string): void {
  const bytes = rows * width * 4
  if (bytes > INPUT_LIMITS.activationBytes) {
    throw new InvalidArgumentError(`${what}: ${rows} rows × ${width} floats is ${(bytes / GiB).toPrecision(3)} GiB, over the ${INPUT_LIMITS.activationBytes / GiB} GiB limit`)
  }
}
