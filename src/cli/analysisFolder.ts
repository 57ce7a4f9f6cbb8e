// An analysis folder (summary.json + gzipped shards) on disk: written by `analyze`, read back whole and rewritten by
// `explain`. The app reads the same folder over HTTP (store/explorer); this is the Node side.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { decodeJsonBytes, parseFeatureShard, parseFeatureSummary, splitFeatureAnalysis, SUMMARY_FILENAME } from '../core/analysis/featureFolder.ts'
import { FEATURE_ANALYSIS_FORMAT, FEATURE_ANALYSIS_VERSION, parseFeatureAnalysis, type FeatureAnalysisFile } from '../core/analysis/format.ts'
import { InvalidArgumentError } from '../core/errors.ts'

/** Replaces the folder's previous summary and shards, leaving any other files alone; returns the bytes written. */
export async function writeAnalysisFolder(dir: string, file: FeatureAnalysisFile, shardSize: number): Promise<number> {
  const { summary, shards } = splitFeatureAnalysis(file, shardSize)
  await mkdir(dir, { recursive: true })
  for (const name of await readdir(dir)) if (/^features-\d+\.json(\.gz)?$/.test(name)) await rm(path.join(dir, name))
  let bytes = 0
  for (const shard of shards) {
    // mtime 0 keeps the bytes identical for identical input (gzip stores none when the level is fixed).
    const gz = gzipSync(JSON.stringify(shard.file), { level: 9 })
    await writeFile(path.join(dir, shard.name), gz)
    bytes += gz.length
  }
  const text = JSON.stringify(summary)
  await writeFile(path.join(dir, SUMMARY_FILENAME), text)
  return bytes + text.length
}

/** The whole analysis of a folder (every shard), validated, with its shard size for writing it back. */
export async function readAnalysisFolder(dir: string): Promise<{ file: FeatureAnalysisFile; shardSize: number }> {
  let text: string
  try {
    text = await readFile(path.join(dir, SUMMARY_FILENAME), 'utf8')
  } catch {
    throw new InvalidArgumentError(`${dir} holds no ${SUMMARY_FILENAME}: give an analysis folder written by \`monoscope analyze --out-dir\``)
  }
  const summary = parseFeatureSummary(await decodeJsonBytes(new TextEncoder().encode(text)))
  const features: FeatureAnalysisFile['features'] = []
  for (let shard = 0; shard < summary.shards.length; shard++) {
    const bytes = new Uint8Array(await readFile(path.join(dir, summary.shards[shard]!)))
    features.push(...parseFeatureShard(await decodeJsonBytes(bytes), { saeId: summary.sae.id, shard, shardSize: summary.shard_size, dSae: summary.sae.d_sae }).features)
  }
  const { format: _f, version: _v, shard_size: shardSize, shards: _s, features: _rows, ...header } = summary
  // Re-validated as one file: the random values must fit the summary's random contexts.
  return { file: parseFeatureAnalysis({ format: FEATURE_ANALYSIS_FORMAT, version: FEATURE_ANALYSIS_VERSION, ...header, features }), shardSize }
}
