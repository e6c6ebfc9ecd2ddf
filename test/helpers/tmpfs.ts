// Small tmpfs file systems for disk-fault tests (root only): each mounted on a fresh directory under one root of
// this test file's, unmounted (lazily, in case a process still holds it) and removed when the file ends.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { after } from 'node:test'

let root: string | undefined
const mounts: string[] = []
after(() => {
  for (const m of mounts.reverse()) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' })
    } catch {
      /* already gone */
    }
  }
  if (root) fs.rmSync(root, { recursive: true, force: true })
})

/** Mounts a tmpfs with these mount options (`ro,size=64k`); undefined when this process cannot mount (not root). */
export function mountTmpfs(opts: string, prefix = 'fs-'): string | undefined {
  if (process.getuid?.() !== 0) return undefined
  root ??= fs.mkdtempSync('/tmp/dd-run-mounts-')
  const dir = fs.mkdtempSync(path.join(root, prefix))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'ignore' })
  } catch {
    return undefined
  }
  mounts.push(dir)
  return dir
}
