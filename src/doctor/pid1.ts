// Who is PID 1, and is that a problem for a Node service? A Node process (or a shell) as PID 1 without an init
// ignores SIGTERM it has no handler for (docker stop then waits and kills) and reaps no zombies. Pure.

export interface Pid1Facts {
  selfPid: number
  /** /proc/1/comm, when readable. */
  comm?: string | undefined
  /** /proc/1/cmdline with NULs as spaces. */
  cmdline?: string | undefined
}

export type Pid1Check = { status: 'ok' | 'warning'; detail: string; fix?: string }

const INITS = new Set(['systemd', 'init', 'tini', 'docker-init', 'dumb-init', 'catatonit', 's6-svscan', 'runit', 'supervisord', 'launchd', 'containerd-shim'])
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh'])
const NODEISH = new Set(['node', 'npm', 'npx', 'yarn', 'pnpm', 'MainThread'])

export function classifyPid1(f: Pid1Facts): Pid1Check {
  const ddRunFix = 'run dd-run as the entrypoint (ENTRYPOINT ["dd-run"]): it forwards signals and exits like the app; add docker run --init (tini) if the app leaves orphaned processes'
  if (f.selfPid === 1) {
    return { status: 'warning', detail: 'dd-run itself is PID 1: it forwards signals to the app but does not reap orphaned grandchildren', fix: 'if the app spawns processes it does not wait for, add docker run --init (tini)' }
  }
  if (f.comm === undefined) return { status: 'ok', detail: 'PID 1 is not visible here (not Linux, or /proc is hidden)' }
  const name = f.comm
  if (INITS.has(name)) return { status: 'ok', detail: `PID 1 is ${name}, an init` }
  if (NODEISH.has(name) && /dd-run/.test(f.cmdline ?? '')) {
    return { status: 'ok', detail: 'PID 1 is dd-run: it forwards signals to the app and exits like it' }
  }
  if (NODEISH.has(name)) {
    return { status: 'warning', detail: `PID 1 is ${name} without an init: SIGTERM without a handler is ignored and zombies are not reaped`, fix: ddRunFix }
  }
  if (SHELLS.has(name)) {
    return { status: 'warning', detail: `PID 1 is a shell (${name}): it does not forward SIGTERM to the app`, fix: `${ddRunFix}; or exec the command from the shell script` }
  }
  return { status: 'ok', detail: `PID 1 is ${name}` }
}
