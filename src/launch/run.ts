// Runs the command: finds it, opens the run's private channel, spawns and supervises it, then finishes the run
// (relays last-gasp profiles, prints the summary) and exits exactly as the command did.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { SCHEMA, type Config } from '../config/schema'
import { vetOutputDir } from '../export/output-dir'
import type { Logger } from '../log'
import { randomUuid } from '../random-id'
import { FLUSHED_SIGNALS, SIGNAL_PREFIX } from '../run/channel-layout'
import { RUN_CHANNEL, RUN_ID, RUN_LAUNCHER_PID } from '../run/env-names'
import { writeLauncherInfo } from '../run/launcher-info'
import { createChannel, removeChannel } from './channel'
import type { Prepared } from './prepare'
import { exitLike, supervise, type ChildExit, type Supervised } from './supervise'
import { which } from '../which'
import { isoTime } from '../iso-time'

/** ignored: the settings whose bad value was replaced by its default, for the run summary. */
export async function run(command: string[], prepared: Prepared & { ok: true }, config: Config, log: Logger, ignored: readonly string[] = []): Promise<number> {
  const [name, ...args] = command as [string, ...string[]]
  const found = which(name, prepared.env, process.cwd())
  if (found.kind === 'not-found') {
    log.error(`command not found: ${name}`)
    return 127
  }
  if (found.kind === 'not-executable') {
    const hint = /\.(c|m)?(j|t)sx?$/.test(name) ? ` (did you mean: dd-run node ${name}?)` : ''
    log.error(`${name}: ${found.reason}${hint}`)
    return 126
  }
  const env = { ...prepared.env }
  let channel: string | undefined
  if (prepared.profiling) {
    // A fresh private directory (mode 0700) for this run: preloads report into it and spool final profiles. None
    // when no temporary directory is writable: the command still runs, profiled (undefined keeps DD_RUN_CHANNEL out).
    channel = createChannel(config, log)
    env[RUN_ID] = randomUuid()
    env[RUN_CHANNEL] = channel
    env[RUN_LAUNCHER_PID] = String(process.pid)
    log.debug(`run ${env[RUN_ID]}: ${found.file} ${args.join(' ')}; NODE_OPTIONS=${env.NODE_OPTIONS}`)
    // An output directory that is not the user's own is refused here, once, for every process of the run.
    const vetted = vetOutputDir(config.outputDir)
    if (vetted.warning) log.warn(vetted.warning)
    if (vetted.dir && vetted.warning) {
      config = Object.freeze({ ...config, outputDir: vetted.dir })
      env[SCHEMA.outputDir.env] = vetted.dir
    }
  }
  let result: ChildExit
  let supervised: Supervised | undefined
  try {
    const startedAt = isoTime()
    supervised = supervise({ file: found.file, args, argv0: name, env, log, ...(channel ? { onStopSignal: tellStalled(channel) } : {}) })
    // What the command does not need is done once it is started, while it boots (issue #18), and before anything
    // is awaited. launcher.json lets `dd-run snapshot` find this run by the launcher's pid and name it: a snapshot
    // request needs this file to find the run at all, so none can reach it before the file is there.
    if (channel) {
      try {
        writeLauncherInfo(channel, { pid: process.pid, command: [name, ...args].join(' ').slice(0, 200), startedAt })
      } catch (err) {
        log.debug(`could not write launcher.json in the run channel: ${(err as Error).message}`)
      }
    }
    if (prepared.profiling && config.exporters?.includes('file')) checkOutputCap(config, log)
    // The end of the run's modules (relay, exporters, summary): loaded now rather than after the command exits.
    if (channel) require('./finish')
    result = await supervised.exited
  } catch (err) {
    supervised?.release()
    const code = (err as NodeJS.ErrnoException).code
    log.error(`${name}: ${(err as Error).message}`)
    if (channel) removeQuietly(channel, log)
    return code === 'ENOENT' ? 127 : 126
  }
  // The signal handlers stay until here: a Ctrl-C while the run finishes is forwarded or absorbed, never fatal.
  if (channel) await (require('./finish') as typeof import('./finish')).finishRun({ channel, config, log, runId: env[RUN_ID] as string, exit: result, group: supervised, ignored })
  supervised.release()
  exitLike(result)
  return new Promise(() => {})
}

/**
 * A forwarded signal is also written into the run channel: a profiled process whose main thread does not yield
 * cannot run the listener that would end it (and write its final profile), and its watchdog thread acts for it
 * (src/profiling/watchdog). Only the signals that listener handles.
 */
function tellStalled(channel: string): (signal: NodeJS.Signals) => void {
  let n = 0
  return (signal) => {
    if (!FLUSHED_SIGNALS.includes(signal)) return
    try {
      fs.writeFileSync(path.join(channel, `${SIGNAL_PREFIX}${++n}-${signal}`), '', { flag: 'wx', mode: 0o600 })
    } catch {
      // A full or removed channel: the process's own listener still acts once its main thread yields.
    }
  }
}

function removeQuietly(dir: string, log: Logger): void {
  try {
    removeChannel(dir)
  } catch (err) {
    log.debug(`could not remove ${dir}: ${(err as Error).message}`)
  }
}

/** The size cap is walked at most this often by launchers, however many short runs follow each other. */
export const CAP_CHECK_EVERY_MS = 60_000
const CAP_STAMP = '.dd-run-cap-checked'

/**
 * The file exporter's size cap, checked here, beside the app rather than inside it: processes check it only from
 * their periodic exports, so a tree of short-lived processes (which only ever write at exit) is kept under the cap
 * by this check at the start of a run. Asynchronous, the run never waits for it; at most once a minute per output
 * directory (a stamp file's age says when the last launcher walked it), so a loop of short runs does not walk a
 * large directory every time.
 */
function checkOutputCap(config: Config, log: Logger): void {
  const dir = config.outputDir
  const stamp = path.join(dir, CAP_STAMP)
  try {
    const st = fs.lstatSync(stamp)
    if (st.isFile() && Date.now() - st.mtimeMs < CAP_CHECK_EVERY_MS) return
  } catch {
    // No stamp yet (or no directory yet): check.
  }
  const { pruneOutput } = require('../export/file') as typeof import('../export/file')
  pruneOutput(dir, config.outputMaxMb * 1024 * 1024).then(
    (removed) => {
      touchStamp(stamp)
      if (removed > 0) log.debug(`removed ${removed} old bundle(s) from ${dir} to stay under ${config.outputMaxMb} MiB`)
    },
    (err: Error) => log.debug(`size cap check of ${dir} failed: ${err.message}`),
  )
}

/** Creates or refreshes the stamp; never writes through a symlink planted in its place. */
function touchStamp(stamp: string): void {
  try {
    const st = fs.lstatSync(stamp)
    if (st.isFile()) fs.utimesSync(stamp, new Date(), new Date())
  } catch {
    try {
      fs.writeFileSync(stamp, '', { flag: 'wx', mode: 0o600 })
    } catch {
      // The directory does not exist yet or is not writable: the next run checks again.
    }
  }
}
