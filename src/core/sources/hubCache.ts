// Browser Cache Storage for Hub downloads, so a model is fetched once per browser, not once per visit.
// Keyed by the full resolve URL; a branch such as 'main' is cached as first seen: pin a commit for exact reproducibility.

export const HUB_CACHE_NAME = 'monoscope-hub-v1'

export interface HubCache {
  match(url: string): Promise<Response | undefined>
  put(url: string, bytes: Uint8Array<ArrayBuffer>): Promise<void>
}

/** Opens the cache, or returns null where there is none (Node, insecure contexts, private modes that refuse it). */
export async function openHubCache(storage: CacheStorage | undefined): Promise<HubCache | null> {
  if (!storage) return null
  let cache: Cache
  try {
    cache = await storage.open(HUB_CACHE_NAME)
  } catch {
    return null
  }
  return {
    async match(url) {
      try {
        return await cache.match(url)
      } catch {
        return undefined
      }
    },
    async put(url, bytes) {
      try {
        const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) }
        await cache.put(url, new Response(bytes, { headers }))
      } catch {
        // Quota exceeded or storage disabled: the download itself succeeded, so carry on uncached.
      }
    },
  }
}
