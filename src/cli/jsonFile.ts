// JSON files named on the command line: read, depth-checked and refused with a typed error (exit 2), never a stack
// trace. Missing or unreadable files are mapped to exit 2 by main.ts.
import { InvalidArgumentError } from '../core/errors.ts'
import { parseJsonChecked } from '../core/formats/safeJson.ts'
import { readTextFileCapped } from './textFile.ts'
import { INPUT_LIMITS } from '../core/limits.ts'

export async function readJsonFile(file: string): Promise<unknown> {
  return parseJsonChecked(await readTextFileCapped(file, 'the JSON file', INPUT_LIMITS.jsonBytes), (detail) => {
    throw new InvalidArgumentError(`${file} is ${detail}`)
  })
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
