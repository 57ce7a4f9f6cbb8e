// A fetch that serves the repository's public/ folder under a fake page URL, for store tests that load the committed
// index, analyses and reports as the app would (no server, no network).
import { readFileSync } from 'node:fs'
import path from 'node:path'

export const PUBLIC_DIR = path.resolve(import.meta.dirname, '../../../public')
export const TEST_PAGE_URL = 'http://app.test/'

export const publicFetch = (async (input: RequestInfo | URL) => {
  try {
    return new Response(readFileSync(path.join(PUBLIC_DIR, String(input).slice(TEST_PAGE_URL.length))))
  } catch {
    return new Response('missing', { status: 404 })
  }
}) as typeof fetch
