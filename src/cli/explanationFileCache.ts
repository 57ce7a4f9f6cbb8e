// The CLI's explanation cache: one JSON file, so an interrupted or repeated `monoscope explain --endpoint …` run pays
// only for features it has not explained yet. Core stays free of node:fs; this is the Node side of ExplanationCache.
import { readFile, rename, writeFile } from 'node:fs/promises'
import { z } from 'zod'
import { explanationSchema, type ExplanationRecord } from '../core/analysis/format.ts'
import { parseExplanationCacheKey, type ExplanationCache, type ExplanationCacheKey } from '../core/autointerp/llm/cache.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import { parseJsonChecked } from '../core/formats/safeJson.ts'

export const EXPLANATION_CACHE_FORMAT = 'monoscope.explanation-cache'

const cacheFileSchema = z.strictObject({
  format: z.literal(EXPLANATION_CACHE_FORMAT),
  version: z.literal(1),
  entries: z.record(z.string(), explanationSchema),
})

/** Opens (or, when `file` does not exist yet, starts) a cache file; each `set` rewrites it whole, atomically. */
export async function openExplanationFileCache(file: string): Promise<ExplanationCache & { readonly size: number }> {
  const entries = new Map<string, ExplanationRecord>()
  let text: string | null = null
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (text !== null) {
    const json = parseJsonChecked(text, (detail) => {
      throw new InvalidArgumentError(`${file} is ${detail}`)
    })
    const parsed = cacheFileSchema.safeParse(json)
    if (!parsed.success) throw new InvalidArgumentError(`${file} is not a ${EXPLANATION_CACHE_FORMAT} file (version 1): ${parsed.error.issues[0]?.message ?? 'bad shape'}`)
    // Entries whose key this version cannot read are dropped rather than trusted.
    for (const [key, value] of Object.entries(parsed.data.entries)) if (parseExplanationCacheKey(key)) entries.set(key, value)
  }
  // Writes run one after another, so two features finishing together cannot interleave their renames.
  let writing: Promise<void> = Promise.resolve()
  const save = async () => {
    const tmp = `${file}.${process.pid}.tmp`
    await writeFile(tmp, `${JSON.stringify({ format: EXPLANATION_CACHE_FORMAT, version: 1, entries: Object.fromEntries(entries) }, null, 1)}\n`)
    await rename(tmp, file)
  }
  return {
    get size() {
      return entries.size
    },
    get: async (key: ExplanationCacheKey) => structuredClone(entries.get(key) ?? null),
    set: (key: ExplanationCacheKey, value: ExplanationRecord) => {
      entries.set(key, structuredClone(value))
      writing = writing.then(save, save)
      return writing
    },
  }
}
