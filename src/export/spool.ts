// Last-gasp bundles: in the `exit` event only synchronous work runs, so a bundle meant for an exporter that needs
// the network is written to the run channel instead, as
//   <channel>/spool/<exporter>/<pid>-<threadId>-<seq>/   (event.json + attachments, written atomically)
// and the launcher, which outlives its child, hands it to that exporter.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { readBundleDir, writeBundleDirSync } from './bundle-dir'
import { isTemporary } from './layout'
import type { Bundle } from './types'

export function spoolDir(channel: string): string {
  return path.join(channel, 'spool')
}

/**
 * Throws when the bundle cannot be spooled (the temporary directory is full, the channel is gone or is not a
 * directory); the caller then writes it to the output directory. The channel itself is never created here: once
 * the launcher removed it, a new directory at that path would be nobody's, and nobody would relay what is in it.
 */
export function spoolBundle(channel: string, exporter: string, owner: { pid: number; threadId: number }, seq: number, bundle: Bundle): string {
  try {
    fs.mkdirSync(spoolDir(channel), { mode: 0o700 })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  return writeBundleDirSync(path.join(spoolDir(channel), exporter), `${owner.pid}-${owner.threadId}-${seq}`, bundle)
}

export interface Spooled {
  exporter: string
  pid: number
  threadId: number
  dir: string
  /** Undefined when the directory could not be read back (the error says why). */
  bundle?: Bundle
  error?: string
}

export function readSpool(channel: string): Spooled[] {
  const out: Spooled[] = []
  const root = spoolDir(channel)
  if (!isRealDir(root)) return out
  for (const exporter of list(root)) {
    const exporterDir = path.join(root, exporter)
    // Links are never followed in the spool: a planted spool/<exporter> symlink is refused as a whole (it belongs to
    // no process, so it is reported under pid 0).
    if (!isRealDir(exporterDir)) {
      out.push({ exporter, pid: 0, threadId: 0, dir: exporterDir, error: `spool/${exporter} is not a directory of ours (a symlink or a file): not followed` })
      continue
    }
    for (const name of list(exporterDir)) {
      const m = /^(\d+)-(\d+)-\d+$/.exec(name)
      if (isTemporary(name) || !m) continue
      const dir = path.join(exporterDir, name)
      const item: Spooled = { exporter, pid: Number(m[1]), threadId: Number(m[2]), dir }
      try {
        item.bundle = readBundleDir(dir)
      } catch (err) {
        item.error = (err as Error).message
      }
      out.push(item)
    }
  }
  return out
}

function isRealDir(p: string): boolean {
  try {
    return fs.lstatSync(p).isDirectory()
  } catch {
    return false
  }
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort()
  } catch {
    return []
  }
}
