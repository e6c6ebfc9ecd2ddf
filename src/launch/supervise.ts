// The one place that spawns the user's command. The child gets dd-run's stdio, runs in a session of its own (as
// under dumb-init), and every signal dd-run receives is forwarded to it: so a signal reaches it exactly once,
// whether it was sent to dd-run's pid (docker stop, kill) or to dd-run's process group (Ctrl-C in a terminal).
import { spawn } from 'node:child_process'
import * as os from 'node:os'
import type { Logger } from '../log'

export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const

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
}

export function supervise(opts: SuperviseOptions): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.file, opts.args, { stdio: 'inherit', env: opts.env, argv0: opts.argv0, detached: true })
    const forward = (signal: NodeJS.Signals) => {
      opts.log.debug(`forwarding ${signal} to ${child.pid}`)
      try {
        child.kill(signal)
      } catch {
        // The child is already gone; its exit event follows.
      }
    }
    // Ctrl-Z: the terminal stops dd-run's process group, which no longer holds the child. Stop it too, then us;
    // on `fg` both continue. SIGSTOP, because the kernel drops SIGTSTP sent to a process group with no parent in its
    // session, which is what the child's own session is.
    const stop = () => {
      forward('SIGSTOP')
      process.kill(process.pid, 'SIGSTOP')
    }
    const cont = () => forward('SIGCONT')
    for (const s of FORWARDED_SIGNALS) process.on(s, forward)
    process.on('SIGTSTP', stop)
    process.on('SIGCONT', cont)
    const detach = () => {
      for (const s of FORWARDED_SIGNALS) process.removeListener(s, forward)
      process.removeListener('SIGTSTP', stop)
      process.removeListener('SIGCONT', cont)
    }
    child.once('error', (err) => {
      detach()
      reject(err)
    })
    child.once('exit', (code, signal) => {
      detach()
      resolve({ code, signal })
    })
  })
}

/** Ends dd-run the way its child ended: same exit code, or death by the same signal. */
export function exitLike(result: ChildExit): void {
  if (result.signal === null) {
    process.exit(result.code ?? 0)
  }
  const num = os.constants.signals[result.signal] ?? 0
  // Re-raise with the default action. Where that does nothing (PID 1 in a container ignores signals it has no
  // handler for, and some signals are ignored by default), fall back to the shell's convention 128+N.
  const fallback = setTimeout(() => process.exit(128 + num), 100)
  try {
    process.removeAllListeners(result.signal)
    process.kill(process.pid, result.signal)
  } catch {
    clearTimeout(fallback)
    process.exit(128 + num)
  }
}
