// After the command's own process exits, other processes of its group may still be ending: `npm start` exits as soon
// as its `sh -c` does, while the server behind it is still draining and writing its final profile. dd-run waits
// (bounded) for the profiled processes of the command's process group, so their last profiles are relayed and, as
// PID 1 in a container, so they are not killed by dd-run's own exit.
import * as fs from 'node:fs'

export interface ProcState {
  /** Not yet exited (a zombie counts as exited: it only waits to be reaped). */
  alive: boolean
  pgid?: number
}

/** What /proc says of a pid; without /proc (not Linux), whether signal 0 reaches it. */
export function procState(pid: number): ProcState {
  let stat: string
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync('/proc/self/stat')) return { alive: false }
    try {
      process.kill(pid, 0)
      return { alive: true }
    } catch (e) {
      return { alive: (e as NodeJS.ErrnoException).code === 'EPERM' }
    }
  }
  // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const state = fields[0]
  return { alive: state !== 'Z' && state !== 'X' && state !== 'x', pgid: Number(fields[2]) }
}

/** The pids among these that still run in the group; any pid whose group cannot be read counts if alive. */
export function livingInGroup(pids: readonly number[], pgid: number): number[] {
  return pids.filter((pid) => {
    const s = procState(pid)
    return s.alive && (s.pgid === undefined || s.pgid === pgid)
  })
}
