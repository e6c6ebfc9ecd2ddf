// What each Node process (or worker thread) of a run tells the launcher, its status: one small JSON file per process,
//   <channel>/reports/<pid>-<threadId>.json
// rewritten atomically (temporary name, then rename) whenever it changes, synchronously on the exit path. The
// StatusLedger owns a process's status; the launcher reads them all back (readStatuses).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { checkStatus, type ProcessStatus } from './status-shape'
import { isoTime } from '../iso-time'

export function statusDir(channel: string): string {
  return path.join(channel, 'reports')
}

export function writeStatus(channel: string, status: ProcessStatus): void {
  const dir = statusDir(channel)
  // Never recreates the channel itself: once the launcher (or a process that found it gone) removed it, a new
  // directory at that /tmp path would be nobody's, or somebody else's.
  try {
    fs.mkdirSync(dir, { mode: 0o700 })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  const file = path.join(dir, `${status.pid}-${status.threadId}.json`)
  const tmp = `${file}.tmp-${process.pid}-${status.threadId}`
  fs.writeFileSync(tmp, JSON.stringify(status), { mode: 0o600 })
  fs.renameSync(tmp, file)
}

/** What a process's status keeps of its failures: the first ones (each also said once on stderr). */
const MAX_FAILURES = 20

/**
 * The owner of one process's status: start.ts, the session and the watchdog record what happens through it, and it
 * writes the file for the launcher when asked (synchronously, so the exit path can too). Without a channel it only
 * keeps the record (the watchdog's answers read it).
 */
export class StatusLedger {
  private channelRemoved = false

  constructor(
    readonly status: ProcessStatus,
    private readonly channel: string | undefined,
    /** Whether the launcher still runs; when it does not, nobody reads the channel again. */
    private readonly launcherAlive: () => boolean = () => true,
    private readonly debug: (msg: string) => void = () => undefined,
  ) {}

  /** Not profiled: dormant by policy, or off after a failure. */
  notProfiled(state: 'dormant' | 'off', reason: string): void {
    this.status.state = state
    this.status.reason = reason
    this.save()
  }

  failure(text: string): void {
    if (this.status.failures.length < MAX_FAILURES) this.status.failures.push(text)
  }

  /** What an exporter has delivered so far (its own count when it keeps one), what it lost, and where it puts them. */
  exporter(name: string, sent: number, lost?: { failed: number; dropped: number }, target?: string): void {
    this.status.exported[name] = sent
    if (lost && lost.failed + lost.dropped > 0) (this.status.lost ??= {})[name] = lost
    if (target) this.status.targets[name] = target
  }

  /** A final bundle left in the spool for the launcher to relay. */
  spooled(exporter: string): void {
    this.status.spooled[exporter] = (this.status.spooled[exporter] ?? 0) + 1
  }

  /** A final bundle written to the output directory because its exporter could not take it. */
  keptInFile(target: string): void {
    this.status.exported.file = (this.status.exported.file ?? 0) + 1
    this.status.targets.file = target
  }

  /** A period merged into the next one: the previous export was still running. */
  deferred(): void {
    this.status.deferred++
  }

  ended(how: string): void {
    this.status.endedAt = isoTime()
    this.status.exit = how
  }

  /** Writes the status for the launcher; removes the channel of a launcher that is gone (SIGKILLed). */
  save(): void {
    if (!this.channel || this.channelRemoved) return
    if (!this.launcherAlive()) {
      // Nobody will read the channel again: remove it rather than leave it in /tmp. Any process of the tree may
      // get here first; the others find it gone.
      try {
        fs.rmSync(this.channel, { recursive: true, force: true })
      } catch (err) {
        this.debug(`could not remove the run channel of a launcher that is gone: ${(err as Error).message}`)
      }
      this.channelRemoved = true
      return
    }
    try {
      writeStatus(this.channel, this.status)
    } catch (err) {
      this.debug(`could not write the status for the launcher: ${(err as Error).message}`)
    }
  }
}

/** A status file the launcher could not use, and why (in a few words, never the file's content). */
export interface BadStatus {
  file: string
  problem: string
}

/** The statuses of a run, sorted by start; `bad` lists the files that could not be used (each skipped alone). */
export type StatusList = ProcessStatus[] & { bad: BadStatus[] }

/** Statuses are a few KiB; anything much larger was not written by dd-run. */
const MAX_STATUS_BYTES = 1024 * 1024

export function readStatuses(channel: string): StatusList {
  const dir = statusDir(channel)
  const out: ProcessStatus[] = []
  const bad: BadStatus[] = []
  let names: string[] = []
  try {
    names = fs.readdirSync(dir)
  } catch {
    // No process reported.
  }
  for (const name of names) {
    const m = /^(\d+)-(\d+)\.json$/.exec(name)
    if (!m) continue
    const file = path.join('reports', name)
    const text = readSmallFile(path.join(dir, name))
    if (text === undefined) continue
    if (typeof text !== 'string') {
      bad.push({ file, problem: text.problem })
      continue
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      bad.push({ file, problem: 'not valid JSON' })
      continue
    }
    const checked = checkStatus(value, { pid: Number(m[1]), threadId: Number(m[2]) })
    if (typeof checked === 'string') bad.push({ file, problem: checked })
    else out.push(checked)
  }
  out.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.pid - b.pid || a.threadId - b.threadId)
  return Object.assign(out, { bad: bad.sort((a, b) => a.file.localeCompare(b.file)) })
}

/**
 * The file's text; undefined when it is gone (replaced or removed at this very moment); a problem when it is not a
 * small regular file. Never follows a symlink, never blocks on a FIFO planted under a status's name.
 */
function readSmallFile(file: string): string | { problem: string } | undefined {
  let fd: number
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    return { problem: code === 'ELOOP' ? 'a symlink, not followed' : `cannot be read (${code ?? 'error'})` }
  }
  try {
    const st = fs.fstatSync(fd)
    if (!st.isFile()) return { problem: 'not a regular file' }
    if (st.size > MAX_STATUS_BYTES) return { problem: `${st.size} bytes, more than a status ever holds` }
    return fs.readFileSync(fd, 'utf8')
  } catch (err) {
    return { problem: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` }
  } finally {
    fs.closeSync(fd)
  }
}
