// Asking a running run for a snapshot: find its channel (by the launcher's pid, by the pid of any of its processes,
// or the only run of this user there is), make a request directory in it, and collect what each profiled process's
// watchdog thread answers there: its main thread's stack and the profile it exported.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { randomUuid } from '../random-id'
import { CHANNEL_PREFIX, channelParents, SNAPSHOT_PREFIX, type SnapshotAnswer } from './channel-layout'
import { readLauncherInfo, type LauncherInfo } from './launcher-info'
import { readStatuses } from './status'
import type { ProcessStatus } from './status-shape'

export interface Run {
  channel: string
  launcher: LauncherInfo
}

/** The runs of this user whose launcher still runs: channels that are private directories of this user. */
export function findRuns(parents: string[] = channelParents()): Run[] {
  const runs: Run[] = []
  for (const parent of parents) {
    let names: string[] = []
    try {
      names = fs.readdirSync(parent).filter((n) => n.startsWith(CHANNEL_PREFIX))
    } catch {
      continue
    }
    for (const name of names) {
      const channel = path.join(parent, name)
      if (privateChannelProblem(channel) !== undefined) continue
      const launcher = readLauncherInfo(channel)
      if (launcher && alive(launcher.pid)) runs.push({ channel, launcher })
    }
  }
  return runs.sort((a, b) => a.launcher.startedAt.localeCompare(b.launcher.startedAt))
}

/**
 * Why a directory cannot be a channel of this user's, or undefined when it can. Only the user who started a run may
 * ask it: its channel is a 0700 directory of theirs, so nobody else can make a request there, and a directory that
 * is not such (another user's, or opened up) is never written to.
 */
export function privateChannelProblem(dir: string): string | undefined {
  let st: fs.Stats
  try {
    st = fs.lstatSync(dir)
  } catch (err) {
    return `${dir}: ${(err as NodeJS.ErrnoException).code ?? 'cannot be read'}`
  }
  if (!st.isDirectory()) return `${dir} is not a directory`
  if (process.getuid && st.uid !== process.getuid()) return `${dir} belongs to another user (uid ${st.uid}): only the user who started a run can ask it`
  if ((st.mode & 0o077) !== 0) return `${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)}), so it is not a dd-run channel`
  return undefined
}

/** The run the user means: the one whose launcher or one of whose processes has `pid`; else the only one. */
export function pickRun(runs: Run[], pid?: number): Run | string {
  if (pid !== undefined) {
    const run = runs.find((r) => r.launcher.pid === pid) ?? runs.find((r) => readStatuses(r.channel).some((p) => p.pid === pid))
    return run ?? `no dd-run launch of yours has the pid ${pid} (${runs.length === 0 ? 'none is running' : `running: ${describe(runs)}`})`
  }
  if (runs.length === 1) return runs[0] as Run
  if (runs.length === 0) return 'no dd-run launch of yours is running'
  return `${runs.length} dd-run launches are running; name one by its pid: ${describe(runs)}`
}

function describe(runs: Run[]): string {
  return runs.map((r) => `${r.launcher.pid} (${r.launcher.command})`).join(', ')
}

export interface ProcessSnapshot {
  report: ProcessStatus
  /** The watchdog's answer; absent when the process has no watchdog or did not answer in time. */
  answer?: SnapshotAnswer
  /** Why there is no answer. */
  missing?: string
}

/** Asks every running profiled process of the run; resolves when all answered or after timeoutMs. */
export async function askSnapshot(channel: string, timeoutMs: number): Promise<ProcessSnapshot[]> {
  const problem = privateChannelProblem(channel)
  if (problem) throw new Error(problem)
  const running = readStatuses(channel).filter((r) => r.state === 'profiled' && r.threadId === 0 && !r.endedAt && alive(r.pid))
  const asked = running.filter((r) => r.watchdog === 'on')
  const dir = path.join(channel, `${SNAPSHOT_PREFIX}${randomUuid().replace(/-/g, '')}`)
  const answers = new Map<number, SnapshotAnswer>()
  if (asked.length > 0) {
    fs.mkdirSync(dir, { mode: 0o700 })
    try {
      const deadline = Date.now() + timeoutMs
      while (answers.size < asked.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50))
        for (const r of asked) {
          if (answers.has(r.pid)) continue
          const a = readAnswer(path.join(dir, `${r.pid}-0.json`))
          if (a) answers.set(r.pid, a)
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  return running.map((report) => {
    const answer = answers.get(report.pid)
    if (answer) return { report, answer }
    const missing = report.watchdog === 'on'
      ? `no answer within ${timeoutMs} ms (its main thread may be inside native code, where it cannot be interrupted)`
      : `it has no watchdog thread (${(report.watchdog ?? 'an older dd-run').replace(/^off: /, '')})`
    return { report, missing }
  })
}

function readAnswer(file: string): SnapshotAnswer | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as SnapshotAnswer
    return typeof v === 'object' && v !== null && typeof v.pid === 'number' ? v : undefined
  } catch {
    return undefined
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
