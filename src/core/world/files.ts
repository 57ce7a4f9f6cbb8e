// Writes TinyWorld's description files (Node only): catalogue.json and tokenizer.json, for the model folder.
// node:fs is imported inside the function so that browser bundles of src/core never pull it in.
import { catalogueJson } from './catalogue.ts'
import { buildTokenizerJson } from './tokenizerJson.ts'

export interface WorldFiles {
  readonly catalogue: string
  readonly tokenizer: string
}

/** Writes `catalogue.json` and `tokenizer.json` into `dir` (created if missing); returns their paths. */
export async function writeWorldFiles(dir: string): Promise<WorldFiles> {
  const fs = await import('node:fs/promises')
  const path = await import('node:path')
  await fs.mkdir(dir, { recursive: true })
  const catalogue = path.join(dir, 'catalogue.json')
  const tokenizer = path.join(dir, 'tokenizer.json')
  await fs.writeFile(catalogue, catalogueJson())
  await fs.writeFile(tokenizer, `${JSON.stringify(buildTokenizerJson(), null, 2)}\n`)
  return { catalogue, tokenizer }
}
