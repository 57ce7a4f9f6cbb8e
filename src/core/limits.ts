// Every ceiling on what an input may claim or cost, named in one place. Each is checked where the input enters,
// before anything is allocated or inflated: a value beyond it is a mistake or an attack, not a file a browser tab
// can hold (a fuzzing pass once found `"n_layer": 1e8` running 35 s and 2.5 GB before failing, and a 2 MB zip
// inflating to 1.3 GB).
import { MODEL_LIMITS } from './model/limits.ts'

export { MODEL_LIMITS, NORM_EPS_RANGE } from './model/limits.ts'

const MiB = 1024 * 1024
const GiB = 1024 * MiB

export const INPUT_LIMITS = {
  /** Nesting of any JSON document (configs, headers, share state, analysis files): real ones nest under 10. */
  jsonDepth: 64,
  /** A JSON file's size (config.json, tokenizer.json of a 256k vocabulary is ~35 MB, analysis shards). */
  jsonBytes: 256 * MiB,
  /** Entries in one zip (an SAE folder has three). */
  zipEntries: 4_096,
  /** All entries of one zip, inflated, and any one entry: a 24k × 2304 SAE in float32 is ~450 MB. */
  zipInflatedBytes: 2 * GiB,
  /** One gzip-compressed analysis file, inflated (a shard is ~1 MB; a 24k-feature summary ~10 MB). */
  gzipInflatedBytes: 64 * MiB,
  /** A text corpus picked in the browser (analysis or training): a string this long is ~512 MB of UTF-16. */
  textFileBytes: 256 * MiB,
  /**
   * Activations held at once in float32: a training shuffle buffer or batch, a harvested cache, the analysis's
   * top-example contexts. \`--buffer 1e12\` once reached \`new Float32Array\` and crashed with a bare RangeError.
   */
  activationBytes: 2 * GiB,
  /** An SAE's encoder holds d_in × d_sae floats, and its decoder as many: both within the model parameter ceiling. */
  saeMatrixFloats: MODEL_LIMITS.parameters / 2,
  /** One downloaded or local weights file (2B parameters in float32 is 8 GB, the parameter ceiling). */
  downloadBytes: 8 * GiB,
  /** A safetensors header: the Python/Rust library refuses headers above 100 MB, and so do we. */
  safetensorsHeaderBytes: 100_000_000,
  /** No response headers within this long: the server is not answering. */
  httpConnectTimeoutMs: 30_000,
  /** No body bytes within this long: the download has stalled. */
  httpStallTimeoutMs: 60_000,
  /** Further attempts after a 5xx, 429 or dropped connection, with exponential backoff from httpRetryBaseMs. */
  httpRetries: 3,
  httpRetryBaseMs: 500,
} as const

export type InputLimits = typeof INPUT_LIMITS

/** The most bytes one file may hold, downloaded or read from disk: a JSON file is capped far lower than weights. */
export const maxFileBytes = (file: string): number => (/\.json$/i.test(file) ? INPUT_LIMITS.jsonBytes : INPUT_LIMITS.downloadBytes)
