// The run channel: a fresh private directory (mode 0700, from mkdtemp) where the preloads of one run report to the
// launcher and spool the final profiles that need the network. It is a convenience, never a condition to run: in a
// container with a read-only root filesystem, with TMPDIR pointing at nothing (or at a file), the command runs all
// the same, profiled, only without the channel.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Config } from '../config/schema'
import type { Logger } from '../log'
import { CHANNEL_PREFIX, channelParents } from '../run/channel-layout'

/**
 * Creates the channel in the first parent that takes it; undefined when none does, after one warning that says what
 * the run goes without. The processes then still profile and export; final profiles meant for the agent or the
 * intake are written to the output directory (they cannot be handed to the launcher), and there is no run summary.
 */
export function createChannel(config: Pick<Config, 'outputDir' | 'exporters'>, log: Logger, parents: string[] = channelParents()): string | undefined {
  const tried: string[] = []
  for (const parent of parents) {
    try {
      const dir = fs.mkdtempSync(path.join(parent, CHANNEL_PREFIX))
      if (tried.length > 0) log.debug(`run channel in ${parent}: ${tried.join(', ')} could not take it`)
      return dir
    } catch (err) {
      tried.push(`${parent} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
    }
  }
  const network = (config.exporters ?? []).some((e) => e !== 'file')
  const loses = network
    ? `no run summary, and final profiles at exit are written to ${config.outputDir} instead of being sent`
    : 'no run summary'
  log.warn(`no writable temporary directory for the run channel (tried ${tried.join(', ')}): profiling runs with ${loses}`)
  return undefined
}

/**
 * Removes the channel at the end of a run, or nothing when it is already gone. The channel is the launcher's own
 * 0700 directory, holding files and a few levels of directories (reports/, spool/, snapshot-*): readdir, unlink,
 * rmdir, recursing only into directories, is a handful of system calls. fs.rmSync's recursive removal loads and
 * runs Node's JavaScript rimraf (an lstat per entry, retries): about 1.7 ms of the launcher's end (issue #18). On
 * any error (an entry removed or added meanwhile, a directory gone already, a permission) rmSync does the job as
 * before, and throws what it throws.
 */
export function removeChannel(dir: string): void {
  try {
    removeTree(dir)
  } catch {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function removeTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) removeTree(p)
    else fs.unlinkSync(p)
  }
  fs.rmdirSync(dir)
}
