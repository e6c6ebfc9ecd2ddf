// Starting benchmark processes: each in its own process group (so a stuck tree can be killed whole), optionally
// pinned to one core with taskset, stderr kept in a log file. Every group still alive is killed when the harness
// exits or is interrupted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'

export interface Command {
  file: string
  args: string[]
  env: NodeJS.ProcessEnv
  cwd: string
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  /** Milliseconds from spawn to exit, measured here. */
  ms: number
  /** The end of stderr, for error messages. */
  stderrTail: string
}

const live = new Set<ChildProcess>()

function killGroup(p: ChildProcess, signal: NodeJS.Signals): void {
  if (!p.pid || p.exitCode !== null || p.signalCode !== null) return
  try {
    process.kill(-p.pid, signal)
  } catch {
    /* already gone */
  }
}

export function killAll(): void {
  for (const p of live) killGroup(p, 'SIGKILL')
}
process.on('exit', killAll)
// dd-run starts its child in a session of its own, out of reach of a group kill: ask nicely first (the launcher
// forwards SIGTERM), then kill what is left, then die of the same signal.
let stopping = false
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    stopping = true
    for (const p of live) p.kill('SIGTERM')
    setTimeout(() => {
      killAll()
      process.kill(process.pid, sig)
    }, 2000).unref()
  })
}

let tasksetOk: boolean | undefined
/** taskset is usable and there are at least 2 cores to keep apart. */
export function canPin(): boolean {
  tasksetOk ??= os.availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0
  return tasksetOk
}

/** The command, run on `core` when pinning is possible. */
export function pinned(cmd: Command, core: number | undefined): Command {
  if (core === undefined || !canPin()) return cmd
  return { ...cmd, file: 'taskset', args: ['-c', String(core), cmd.file, ...cmd.args] }
}

export interface Running {
  child: ChildProcess
  done: Promise<Exit>
}

/** Starts `cmd`; stdout is ignored (the apps report through files), stderr goes to `logFile`. */
export function launch(cmd: Command, logFile: string, timeoutMs: number): Running {
  if (stopping) throw new Error('interrupted')
  const t0 = process.hrtime.bigint()
  const log = fs.openSync(logFile, 'a')
  const child = spawn(cmd.file, cmd.args, { env: cmd.env, cwd: cmd.cwd, stdio: ['ignore', 'ignore', log], detached: true })
  fs.closeSync(log)
  live.add(child)
  // On timeout: SIGTERM first (a launcher forwards it to its child's session), SIGKILL to the group 5 s later.
  let hard: NodeJS.Timeout | undefined
  const timer = setTimeout(() => {
    child.kill('SIGTERM')
    hard = setTimeout(() => killGroup(child, 'SIGKILL'), 5000)
  }, timeoutMs)
  const done = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      clearTimeout(timer)
      if (hard) clearTimeout(hard)
      live.delete(child)
      // Whatever the process left behind in its group (it should be nothing) goes too.
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL')
      } catch {
        /* nothing left */
      }
      resolve({ code, signal, ms, stderrTail: tail(logFile) })
    })
  })
  return { child, done }
}

/** Runs `cmd` to completion and fails when it does not exit with 0. */
export async function runOk(cmd: Command, logFile: string, timeoutMs: number): Promise<Exit> {
  const exit = await launch(cmd, logFile, timeoutMs).done
  if (exit.code !== 0) throw new Error(`${describe(cmd)} ended with ${exit.signal ?? `code ${exit.code}`}: ${exit.stderrTail}`)
  return exit
}

export function describe(cmd: Command): string {
  return [cmd.file, ...cmd.args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')
}

function tail(file: string): string {
  try {
    const text = fs.readFileSync(file, 'utf8')
    return text.slice(-1500).trim()
  } catch {
    return ''
  }
}

/** Resolves when `file` exists and is not empty; rejects after `timeoutMs` or when `exited` settles first. */
export async function waitForFile(file: string, timeoutMs: number, exited: Promise<Exit>): Promise<string> {
  let gone: Exit | undefined
  void exited.then((e) => (gone = e))
  const t0 = Date.now()
  for (;;) {
    try {
      const text = fs.readFileSync(file, 'utf8')
      if (text) return text
    } catch {
      /* not yet */
    }
    if (gone) throw new Error(`the app ended (${gone.signal ?? `code ${gone.code}`}) before writing ${file}: ${gone.stderrTail}`)
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${file}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
