// `monoscope world-sample`: a labelled TinyWorld evaluation set as JSON Lines, one document per line, reproducible
// from the seed. Lines hold {"text", "ids"}; with labels also {"concepts", "forced", "language", "doc_type"}.
import { open } from 'node:fs/promises'
import { once } from 'node:events'
import { InvalidArgumentError } from '../../core/errors.ts'
import { createWorldStream, type WorldDocument } from '../../core/world/index.ts'

export interface WorldSampleArgs {
  seed: number
  /** Documents are written whole until at least this many tokens (<|endoftext|> not counted) are out. */
  tokens: number
  labels: boolean
  /** A file to write; stdout when absent. */
  out?: string
}

/** One JSON line per document; snake_case keys as in the JSON files around the model. */
export function worldSampleLine(doc: WorldDocument, labels: boolean): string {
  const record = labels
    ? { text: doc.text, ids: doc.ids, concepts: doc.concepts, forced: doc.forced, language: doc.language, doc_type: doc.docType }
    : { text: doc.text, ids: doc.ids }
  return `${JSON.stringify(record)}\n`
}

export async function worldSampleCommand(args: WorldSampleArgs): Promise<void> {
  if (!Number.isSafeInteger(args.seed)) throw new InvalidArgumentError(`--seed must be an integer, got ${args.seed}`)
  if (!Number.isInteger(args.tokens) || args.tokens < 1) throw new InvalidArgumentError(`--tokens must be a positive integer, got ${args.tokens}`)
  // Unlabelled sampling skips the concept and forced-flag bookkeeping but draws the same random numbers: the same
  // seed gives the same documents either way.
  const stream = createWorldStream(args.seed, { labels: args.labels })
  const file = args.out === undefined ? null : await open(args.out, 'w')
  let buffered: string[] = []
  let bufferedChars = 0
  const flush = async () => {
    const chunk = buffered.join('')
    buffered = []
    bufferedChars = 0
    if (file) await file.write(chunk)
    else if (!process.stdout.write(chunk)) await once(process.stdout, 'drain')
  }
  let tokens = 0
  let documents = 0
  try {
    while (tokens < args.tokens) {
      const doc = stream.nextDocument()
      const line = worldSampleLine(doc, args.labels)
      buffered.push(line)
      bufferedChars += line.length
      tokens += doc.ids.length
      documents++
      if (bufferedChars > 1 << 20) await flush()
    }
    await flush()
  } finally {
    await file?.close()
  }
  if (args.out !== undefined) process.stderr.write(`world-sample: ${documents} documents, ${tokens} tokens → ${args.out}\n`)
}
