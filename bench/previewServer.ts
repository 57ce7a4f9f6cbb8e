// Serves the built app (dist/) with `vite preview` on a free port for a benchmark, the way the e2e tests serve it
// (COOP/COEP headers come from vite.config.ts), and stops it again. Builds nothing: run `npx vite build` first.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import path from 'node:path'
import { repoRoot } from './committedDefault.ts'

export interface PreviewServer {
  url: string
  stop: () => Promise<void>
}

const START_TIMEOUT_MS = 60_000

async function freePort(): Promise<number> {
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const address = probe.address()
  probe.close()
  await once(probe, 'close')
  if (address === null || typeof address === 'string') throw new Error('Could not find a free port')
  return address.port
}

export async function startPreview(): Promise<PreviewServer> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}/`
  // Through node (not npx) so that this process's child is the server itself, and stopping it stops the server.
  const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = once(child, 'exit')
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    await exited
  }
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited with code ${child.exitCode}: ${stderr.trim()}`)
    try {
      if ((await fetch(url)).ok) return { url, stop }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`vite preview did not answer on ${url} within ${START_TIMEOUT_MS / 1000} s: ${stderr.trim()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
