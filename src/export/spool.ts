// Last-gasp bundles: in the `exit` event only synchronous work runs, so a bundle meant for an exporter that needs
// the network is written to the run channel instead, as
//   <channel>/spool/<exporter>/<pid>-<threadId>-<seq>/   (event.json + attachments, written atomically)
// and the launcher, which outlives its child, hands it to that exporter. A bundle spooled while the process runs (taken
// behind a main thread that does not yield) is sent at once by the process's watchdog thread, which first claims it
// by renaming it to `<CLAIM_PREFIX><pid>-<threadId>-<seq>`: the launcher leaves a claimed bundle to its sender while
// that process lives, and relays it like any other once the process is gone (it died while sending).
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

/** A spooled bundle a thread of its process is sending now (see claimSpooled). */
export const CLAIM_PREFIX = 'sending-'

/**
 * Takes a spooled bundle for sending from its own process: renamed, so that the launcher does not relay it at the
 * same time. Returns the claimed path, or undefined when it is gone (the launcher relayed it or removed the channel).
 */
export function claimSpooled(dir: string): string | undefined {
  const claimed = path.join(path.dirname(dir), `${CLAIM_PREFIX}${path.basename(dir)}`)
  try {
    fs.renameSync(dir, claimed)
    return claimed
  } catch {
    return undefined
  }
}

/** Sending a claimed bundle failed: it goes back to the spool, for the launcher to relay at the end of the run. */
export function releaseClaim(claimed: string): boolean {
  try {
    fs.renameSync(claimed, path.join(path.dirname(claimed), path.basename(claimed).slice(CLAIM_PREFIX.length)))
    return true
  } catch {
    return false
  }
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
      const claimed = name.startsWith(CLAIM_PREFIX)
      const m = /^(\d+)-(\d+)-\d+$/.exec(claimed ? name.slice(CLAIM_PREFIX.length) : name)
      if (isTemporary(name) || !m) continue
      // Being sent by its own process: its sender removes it or puts it back. Only a process that died while sending
      // leaves it claimed, and then it is relayed (at least once: the agent may have had it already).
      if (claimed && processAlive(Number(m[1]))) continue
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

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
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
