// The FileSource contract: one way to read a model or SAE folder, whether it is on disk, behind a URL or on the Hub.

export interface ProgressEvent {
  file: string
  /** Bytes received so far; never decreases within one download. */
  loaded: number
  /** Expected bytes, or null while unknown; the last event of a download always has `loaded === total`. */
  total: number | null
}

export interface FetchOptions {
  onProgress?: (e: ProgressEvent) => void
  /** Aborting rejects the pending call with CancelledError. */
  signal?: AbortSignal
}

export interface FileSource {
  readonly kind: 'folder' | 'url' | 'hub'
  /** For messages: "hf:gpt2@main", a path, a URL. */
  readonly description: string
  /** Throws SourceNotFoundError on 404/ENOENT, SourceNetworkError when the transport fails, CancelledError on abort. */
  fetchBytes(file: string, opts?: FetchOptions): Promise<Uint8Array>
  fetchText(file: string, opts?: FetchOptions): Promise<string>
  exists(file: string, opts?: FetchOptions): Promise<boolean>
  /** A source rooted at `path` inside this one: SAELens SAEs live in a repo subfolder. */
  subfolder(path: string): FileSource
}

/** Builds a FileSource from its two primitives, so every kind decodes text the same way. */
export function defineSource(parts: Omit<FileSource, 'fetchText'>): FileSource {
  return {
    ...parts,
    async fetchText(file, opts) {
      // Non-fatal decoding: a stray byte in a config should not hide the rest of it; JSON.parse reports real damage.
      return new TextDecoder('utf-8').decode(await parts.fetchBytes(file, opts))
    },
  }
}
