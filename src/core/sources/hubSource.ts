// Hugging Face Hub repos: `${endpoint}/${repoId}/resolve/${revision}/${file}`, cached in Cache Storage in the browser.
import { SourceSpecError } from '../errors.ts'
import { openHubCache, type HubCache } from './hubCache.ts'
import { assertHubRepo, DEFAULT_REVISION, formatHubSpec, type HubRepo } from './hubSpec.ts'
import { downloadBytes, httpExists, readBody, type RequestTarget } from './http.ts'
import { pathSegments, urlPath } from './paths.ts'
import { defineSource, type FileSource } from './types.ts'

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co'
/** Node only: points every Hub source at a mirror or a local test server. */
export const HUB_ENDPOINT_ENV = 'MONOSCOPE_HF_ENDPOINT'

export interface HubSourceOptions {
  /** Overrides $MONOSCOPE_HF_ENDPOINT (Node) and https://huggingface.co. */
  endpoint?: string
  /** 'auto' uses Cache Storage where the runtime has it (browsers); 'none' always downloads. */
  cache?: 'auto' | 'none'
  /** The Cache Storage to use instead of `globalThis.caches` (tests, workers with their own). */
  cacheStorage?: CacheStorage
}

function envEndpoint(): string | undefined {
  // Read through globalThis so browser bundles need no `process` shim.
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
  return proc?.env?.[HUB_ENDPOINT_ENV] || undefined
}

function resolveEndpoint(option: string | undefined): string {
  const endpoint = option ?? envEndpoint() ?? DEFAULT_HUB_ENDPOINT
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new SourceSpecError(`The Hub endpoint "${endpoint}" is not a valid URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SourceSpecError(`The Hub endpoint "${endpoint}" must be http(s)`)
  return endpoint.replace(/\/+$/, '')
}

export function createHubSource(repo: { repoId: string; revision?: string }, opts: HubSourceOptions = {}): FileSource {
  const full: HubRepo = { repoId: repo.repoId, revision: repo.revision ?? DEFAULT_REVISION }
  assertHubRepo(full, formatHubSpec(full))
  const endpoint = resolveEndpoint(opts.endpoint)
  const storage = opts.cache === 'none' ? undefined : (opts.cacheStorage ?? (globalThis as { caches?: CacheStorage }).caches)
  let cache: Promise<HubCache | null> | null = null
  // Opened once per source tree, on first use, so creating a source stays synchronous and free.
  const getCache = () => (cache ??= openHubCache(storage))
  return hubSourceAt(full, endpoint, [], getCache)
}

function hubSourceAt(repo: HubRepo, endpoint: string, prefix: string[], getCache: () => Promise<HubCache | null>): FileSource {
  const spec = formatHubSpec(repo)
  const description = prefix.length ? `${spec}/${prefix.join('/')}` : spec
  // Revisions such as refs/pr/3 contain slashes, which the Hub expects percent-encoded in this one segment.
  const root = `${endpoint}/${repo.repoId}/resolve/${encodeURIComponent(repo.revision)}/`
  const target = (file: string): RequestTarget => ({ file, url: root + urlPath([...prefix, ...pathSegments(file)]), where: description })

  return defineSource({
    kind: 'hub',
    description,
    async fetchBytes(file, opts) {
      const t = target(file)
      const cache = await getCache()
      const cached = await cache?.match(t.url)
      if (cached) return readBody(cached, t, opts)
      const bytes = await downloadBytes(t, opts)
      await cache?.put(t.url, bytes)
      return bytes
    },
    async exists(file, opts) {
      const t = target(file)
      if (await (await getCache())?.match(t.url)) return true
      return httpExists(t, opts)
    },
    subfolder: (path) => hubSourceAt(repo, endpoint, [...prefix, ...pathSegments(path, 'subfolder')], getCache),
  })
}
