// Turns what the user typed in the loader into a source spec the worker can fetch from.
// The worker runs at another URL than the page, so relative folders are resolved here, against the page.

/** 'hf:owner/name[@rev]' and absolute URLs pass through; anything else is a folder relative to the page. */
export function resolveSourceInput(input: string, pageUrl: string): string {
  const text = input.trim()
  if (text.startsWith('hf:') || /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text
  const folder = text.endsWith('/') ? text : `${text}/`
  return new URL(folder, pageUrl).href.replace(/\/$/, '')
}

/** A short name for messages: the last path segment of a URL, or the repo id. */
export function sourceLabel(source: string): string {
  if (source.startsWith('hf:')) return source.slice(3)
  const parts = source.replace(/\/+$/, '').split('/')
  return parts[parts.length - 1] || source
}
