// Hash URLs for every view: `#/features/<saeId>`, `#/feature/<saeId>/<index>`, `#/map`, `#/inspect`, … Pure
// helpers (no DOM) so they are unit-tested; SAE ids hold slashes, so they are one encoded segment.

export interface HashLocation {
  /** Decoded path segments: '#/feature/a%2Fb/3' → ['feature', 'a/b', '3']. */
  segments: string[]
  query: URLSearchParams
}

export function parseHash(hash: string): HashLocation {
  const body = hash.replace(/^#/, '')
  const q = body.indexOf('?')
  const path = q < 0 ? body : body.slice(0, q)
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s)
      } catch {
        return s // a stray '%' is kept as typed; the route then reports what it could not find
      }
    })
  return { segments, query: new URLSearchParams(q < 0 ? '' : body.slice(q + 1)) }
}

export function formatHash(segments: readonly (string | number)[], query?: Record<string, string>): string {
  const path = segments.map((s) => encodeURIComponent(String(s))).join('/')
  const search = query && Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : ''
  return `#/${path}${search}`
}

/** `feature/<saeId>/<index>`: the id may arrive encoded (one segment) or typed with raw slashes (several). */
export function parseFeatureSegments(rest: readonly string[]): { saeId: string; index: number } | null {
  if (rest.length < 2) return null
  const indexText = rest[rest.length - 1]!
  if (!/^(0|[1-9]\d{0,9})$/.test(indexText)) return null
  return { saeId: rest.slice(0, -1).join('/'), index: Number(indexText) }
}

/** Links to every view; the only place the app's hash URLs are spelled. */
export const hrefs = {
  generate: () => formatHash(['generate']),
  /** `query`: the list's search and filters (explorer/list/listQuery.ts). */
  features: (saeId?: string, query?: Record<string, string>) => formatHash(saeId ? ['features', saeId] : ['features'], query),
  feature: (saeId: string, index: number) => formatHash(['feature', saeId, index]),
  /** The committed SAEs' joint map, or one loaded or trained SAE's own map. */
  map: (saeId?: string) => formatHash(saeId ? ['map', saeId] : ['map']),
  inspect: () => formatHash(['inspect']),
  contrast: () => formatHash(['contrast']),
  /** The steering playground reads `feature` as a feature key (src/core/steering/featureKey.ts). */
  steer: (featureKeyText: string) => formatHash(['steer'], { feature: featureKeyText }),
}
