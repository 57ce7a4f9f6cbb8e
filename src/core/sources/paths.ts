// Relative paths inside a source: normalised once into segments, so no file name can climb out of its root.
import { SourceSpecError } from '../errors.ts'

/** Splits `path` into segments, dropping empty and '.' ones; rejects absolute paths and '..'. */
export function pathSegments(path: string, what = 'file path'): string[] {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) {
    throw new SourceSpecError(`The ${what} "${path}" must be relative to the source`)
  }
  const segments = path.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.includes('..')) throw new SourceSpecError(`The ${what} "${path}" may not contain ".."`)
  return segments
}

/** Encodes each segment for a URL path, keeping the slashes between them. */
export const urlPath = (segments: string[]): string => segments.map(encodeURIComponent).join('/')
