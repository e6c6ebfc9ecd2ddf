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
