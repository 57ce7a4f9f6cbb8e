// One entry point from a user's spec to a FileSource: 'hf:owner/name[@rev]', an http(s) base URL, or a local folder.
import { SourceSpecError } from '../errors.ts'
import { createFolderSource } from './folderSource.ts'
import { HUB_PREFIX, parseHubSpec } from './hubSpec.ts'
import { createHubSource } from './hubSource.ts'
import type { FileSource } from './types.ts'
import { createUrlSource } from './urlSource.ts'

export interface ResolveSourceOptions {
  /** Hub endpoint; defaults to $MONOSCOPE_HF_ENDPOINT in Node, then https://huggingface.co. */
  hubEndpoint?: string
  /** Browser Cache Storage for Hub downloads: 'auto' (default) where available, 'none' to always download. */
  cache?: 'auto' | 'none'
}

export function resolveSource(spec: string, opts: ResolveSourceOptions = {}): FileSource {
  const trimmed = spec.trim()
  if (trimmed === '') throw new SourceSpecError('Empty source: expected hf:owner/name[@revision], an http(s) URL or a folder path')
  if (trimmed.startsWith(HUB_PREFIX)) {
    return createHubSource(parseHubSpec(trimmed), { endpoint: opts.hubEndpoint, cache: opts.cache })
  }
  if (/^https?:\/\//i.test(trimmed)) return createUrlSource(trimmed)
  return createFolderSource(trimmed)
}
