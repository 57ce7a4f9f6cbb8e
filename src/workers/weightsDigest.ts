// The SHA-256 of an SAE's weights file as the worker reads it, so stored explanations (the user's, LLM ones) key on
// these exact weights: the bytes are hashed once they are in memory anyway, with no second download.
import { SAE_WEIGHTS_FILENAME } from '../core/sae/saelens.ts'
import type { FileSource } from '../core/sources/types.ts'
import { sha256Hex } from '../core/autointerp/llm/cache.ts'

/** `source` with its weights bytes kept aside, and `digest()` for them once the SAE has loaded. */
export function digestingWeights(source: FileSource): { source: FileSource; digest(): Promise<string | null> } {
  let weights: Uint8Array | null = null
  const tapped: FileSource = {
    kind: source.kind,
    description: source.description,
    fetchText: (file, opts) => source.fetchText(file, opts),
    exists: (file, opts) => source.exists(file, opts),
    subfolder: (path) => source.subfolder(path),
    async fetchBytes(file, opts) {
      const bytes = await source.fetchBytes(file, opts)
      if (file === SAE_WEIGHTS_FILENAME) weights = bytes
      return bytes
    },
  }
  return {
    source: tapped,
    async digest() {
      const bytes = weights
      weights = null // the SAE holds its own tensors: let the file's bytes go
      // WebCrypto is missing outside secure contexts (plain http on a LAN address): no hash, explanations key on the id.
      if (!bytes || typeof crypto === 'undefined' || !crypto.subtle) return null
      const owned = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes)
      return sha256Hex(owned)
    },
  }
}
