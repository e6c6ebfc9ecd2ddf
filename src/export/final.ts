// Where a final bundle goes when only synchronous work can run (the `exit` event, a terminating signal, the
// watchdog's call on a main thread that does not yield): to each exporter that writes synchronously; for an exporter
// that needs the network, into the run's spool for the launcher to relay; and when that cannot be done (no launcher,
// no channel, a spool write that fails), into the output directory, once however many exporters wanted it. The
// launcher's relay (src/launch/relay.ts) ends with the same last resort for what it could not deliver.
import type { Config } from '../config/schema'
import { firstLine } from '../log'
import { FileExporter } from './file'
import { spoolBundle } from './spool'
import type { Bundle, Exporter } from './types'

export interface FinalRoute {
  /** The run channel, when a launcher is there to relay spooled bundles. */
  channel: string | undefined
  /** The launcher's pid; 0 without one. */
  launcherPid: number
  launcherAlive: () => boolean
  /** Whose bundle it is, for the spool's entry name. */
  owner: { pid: number; threadId: number }
  seq: number
  config: Pick<Config, 'outputDir' | 'outputMaxMb'>
  /** The process's own file exporter, when it has one: it writes the bundle itself, in its turn. */
  ownFile?: { readonly target?: string } | undefined
}

/** What became of the bundle, per exporter. `text` says it for the status and the one warning. */
export type FinalOutcome =
  | { exporter: Exporter; to: 'exporter' }
  /** Left in the run's spool, in `dir`, for the launcher to relay (or the watchdog thread to send now). */
  | { exporter: Exporter; to: 'spool'; dir: string }
  /** Written to the output directory instead; `written` when it was written here (not by the run's own file exporter). */
  | { exporter: Exporter; to: 'file'; target: string; written: boolean; text: string }
  | { exporter: Exporter; to: 'nowhere'; text: string }

export function deliverFinal(bundle: Bundle, exporters: readonly Exporter[], route: FinalRoute): FinalOutcome[] {
  let kept: { target: string; written: boolean } | { error: string } | undefined
  const toOutputDir = (e: Exporter, why: string): FinalOutcome => {
    if (!kept) {
      try {
        kept = keepInOutputDir(bundle, route.config, route.ownFile)
      } catch (err) {
        kept = { error: firstLine(err) }
      }
    }
    if ('error' in kept) {
      return { exporter: e, to: 'nowhere', text: `${e.name}: ${why}, and writing the final profile to ${route.config.outputDir} failed too: ${kept.error}` }
    }
    // Counted once, with the first exporter that needed it.
    const written = kept.written
    kept = { ...kept, written: false }
    return { exporter: e, to: 'file', target: kept.target, written, text: `${e.name}: ${why}, so the final profile was written to ${kept.target}` }
  }
  return exporters.map((e): FinalOutcome => {
    try {
      if (e.exportSync) {
        e.exportSync(bundle)
        return { exporter: e, to: 'exporter' }
      }
      if (!route.channel && !route.launcherPid) {
        return { exporter: e, to: 'nowhere', text: `${e.name}: the final profile could not be sent (no launcher to hand it to at exit)` }
      }
      if (!route.channel) return toOutputDir(e, 'dd-run has no run channel (no writable temporary directory)')
      if (!route.launcherAlive()) return toOutputDir(e, `dd-run (pid ${route.launcherPid}) is gone`)
      let dir: string
      try {
        dir = spoolBundle(route.channel, e.name, route.owner, route.seq, bundle)
      } catch (err) {
        return toOutputDir(e, `the final profile could not be handed to dd-run (${firstLine(err)})`)
      }
      return { exporter: e, to: 'spool', dir }
    } catch (err) {
      return { exporter: e, to: 'nowhere', text: `${e.name}: ${firstLine(err)}` }
    }
  })
}

/**
 * The last resort for a bundle an exporter could not take: the output directory. When the run has a file exporter
 * of its own, that one writes the bundle (or has written it); otherwise it is written here. Throws when it cannot be.
 */
export function keepInOutputDir(
  bundle: Bundle,
  config: Pick<Config, 'outputDir' | 'outputMaxMb'>,
  ownFile: { readonly target?: string } | undefined,
): { target: string; written: boolean } {
  if (ownFile) return { target: ownFile.target ?? config.outputDir, written: false }
  const file = new FileExporter(config)
  file.exportSync(bundle)
  return { target: file.target, written: true }
}
