// The one place that spawns the user's command. The command runs in a session and process group of its own (as
// under dumb-init's setsid mode or `tini -g`), and every signal dd-run receives is forwarded to that whole group:
// so each process of the command gets it exactly once, whether it was sent to dd-run's pid (docker stop, kill,
// systemd) or came from the terminal to dd-run's process group (Ctrl-C). `npm start` runs `sh -c 'node server.js'`;
// forwarding to npm's pid alone left the server running, since dash does not pass signals on.
//
// The handlers stay installed until dd-run itself exits, not only while the command runs: a second Ctrl-C while dd-run
// waits for the command's last processes or relays their profiles is forwarded to what is left of the group, or
// absorbed, and never kills dd-run half-way (the command's exit status is what dd-run exits with).
import { spawn } from 'node:child_process'
import * as os from 'node:os'
import type { Logger } from '../log'

/**
 * Signals dd-run cannot or must not forward: the uncatchable ones, the faults Node reserves, SIGPIPE (Node ignores
 * it; dd-run's own write to a closed stderr must not kill the app), SIGCHLD (dd-run's own children), and the job
 * control signals, which are handled below.
 */
const NOT_FORWARDED = new Set(['SIGKILL', 'SIGSTOP', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGPIPE', 'SIGCHLD', 'SIGCLD', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGCONT'])

/** Every other signal this platform knows: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2, SIGWINCH, SIGALRM, ... */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = Object.keys(os.constants.signals).filter(
  (s) => !NOT_FORWARDED.has(s) && !isAlias(s),
) as NodeJS.Signals[]

/** Signals whose default action ends a process: forwarding one of these means the command is being shut down. */
const TERMINATING = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGABRT', 'SIGALRM', 'SIGUSR1', 'SIGUSR2', 'SIGVTALRM', 'SIGXCPU', 'SIGXFSZ', 'SIGPWR', 'SIGSYS', 'SIGTRAP', 'SIGPROF', 'SIGSTKFLT', 'SIGIO'])

export interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface SuperviseOptions {
  file: string
  args: readonly string[]
  /** argv[0] as the user typed it. */
  argv0: string
  env: NodeJS.ProcessEnv
  log: Logger
  /** Called just before a signal that ends processes is forwarded to the group. */
  onStopSignal?: (signal: NodeJS.Signals) => void
}

export interface Supervised {
  /** The command's process group (its pid: it leads the group). */
  pgid: number
  /** Resolves when the command's own process exits; rejects when it could not be started. */
  exited: Promise<ChildExit>
  /** Whether a signal that ends processes was forwarded (someone asked the command to stop). */
  readonly stopRequested: boolean
  /** Stops forwarding: called just before dd-run exits. */
  release(): void
}

export function supervise(opts: SuperviseOptions): Supervised {
  const child = spawn(opts.file, opts.args, { stdio: 'inherit', env: opts.env, argv0: opts.argv0, detached: true })
  let stopRequested = false
  const toGroup = (signal: NodeJS.Signals | 'SIGSTOP' | 'SIGCONT'): void => {
    const pid = child.pid
    if (!pid) return
    try {
      process.kill(-pid, signal)
    } catch {
      // The group is gone (every process of the command has exited): nothing is left to tell.
    }
  }
  const forward = (signal: NodeJS.Signals): void => {
    opts.log.debug(`forwarding ${signal} to process group ${child.pid}`)
    if (TERMINATING.has(signal)) {
      stopRequested = true
      // Told before the signal goes, so that the note's time is never later than the signal's delivery: a profiled
      // process compares the two to know whether its main thread has received this signal (see exit-signals.ts).
      try {
        opts.onStopSignal?.(signal)
      } catch {
        // Telling the profiled processes is a help for stuck ones, never a reason to stop forwarding.
      }
    }
    toGroup(signal)
  }
  // Ctrl-Z: the terminal stops dd-run's process group, which does not hold the command. Stop the command's group,
  // then dd-run; on `fg` both continue. SIGSTOP, because the kernel drops SIGTSTP sent to a process group with no
  // parent in its session (an orphaned group), which is what the command's own session is.
  const stop = (): void => {
    toGroup('SIGSTOP')
    process.kill(process.pid, 'SIGSTOP')
  }
  const cont = (): void => toGroup('SIGCONT')
  const listeners: [string, (s: NodeJS.Signals) => void][] = []
  const listen = (signal: string, handler: (s: NodeJS.Signals) => void): void => {
    try {
      process.on(signal as NodeJS.Signals, handler)
      listeners.push([signal, handler])
    } catch {
      // A signal this platform lists but libuv cannot watch: it keeps its default action.
    }
  }
  for (const s of FORWARDED_SIGNALS) listen(s, forward)
  listen('SIGTSTP', stop)
  listen('SIGCONT', cont)
  const exited = new Promise<ChildExit>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  return {
    pgid: child.pid ?? 0,
    exited,
    get stopRequested() {
      return stopRequested
    },
    release() {
      for (const [s, h] of listeners) process.removeListener(s, h)
      listeners.length = 0
    },
  }
}

/** Ends dd-run the way its child ended: same exit code, or death by the same signal. */
export function exitLike(result: ChildExit): void {
  if (result.signal === null) {
    process.exit(result.code ?? 0)
  }
  const num = os.constants.signals[result.signal] ?? 0
  // As PID 1 (a container's entrypoint) the kernel ignores a signal that has no handler: the shell's convention.
  if (process.pid === 1) process.exit(128 + num)
  // Re-raise with the default action. Where that does nothing (a signal ignored by default, or blocked by whoever
  // started dd-run), fall back to 128+N.
  const fallback = setTimeout(() => process.exit(128 + num), 100)
  try {
    process.removeAllListeners(result.signal)
    process.kill(process.pid, result.signal)
  } catch {
    clearTimeout(fallback)
    process.exit(128 + num)
  }
}

/** SIGIOT is SIGABRT and SIGPOLL is SIGIO on Linux: listening to both would forward one signal twice. */
function isAlias(name: string): boolean {
  const n = os.constants.signals[name as NodeJS.Signals]
  const first = Object.keys(os.constants.signals).find((s) => os.constants.signals[s as NodeJS.Signals] === n)
  return first !== name
}
