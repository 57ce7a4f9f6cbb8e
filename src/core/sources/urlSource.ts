// A folder served over HTTP(S): `${baseUrl}/${file}`, e.g. the app's own public/models/tinyworld or any static host.
import { SourceSpecError } from '../errors.ts'
import { downloadBytes, httpExists, type RequestTarget } from './http.ts'
import { pathSegments, urlPath } from './paths.ts'
import { defineSource, type FileSource } from './types.ts'

export function createUrlSource(baseUrl: string): FileSource {
  let base: URL
  try {
    base = new URL(baseUrl)
  } catch {
    throw new SourceSpecError(`"${baseUrl}" is not a valid URL`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new SourceSpecError(`"${baseUrl}" must be an http:// or https:// URL`)
  }
  // Without the trailing slash, relative resolution would replace the last path segment instead of descending into it.
  if (!base.pathname.endsWith('/')) base.pathname += '/'
  return urlSourceAt(base, [])
}

function urlSourceAt(base: URL, prefix: string[]): FileSource {
  const root = prefix.length ? new URL(`${urlPath(prefix)}/`, base) : base
  const description = root.href.replace(/\/$/, '')
  const target = (file: string): RequestTarget => ({
    file,
    url: new URL(urlPath(pathSegments(file)), root).href,
    where: description,
  })

  return defineSource({
    kind: 'url',
    description,
    async fetchBytes(file, opts) {
      const t = target(file)
      return downloadBytes(t, opts)
    },
    exists: async (file, opts) => httpExists(target(file), opts),
    subfolder: (path) => urlSourceAt(base, [...prefix, ...pathSegments(path, 'subfolder')]),
  })
}
