// A command in a real pseudo-terminal (test/helpers/pty-driver.py, Python's pty module), typed at like a person
// would: `type('\x03')` is Ctrl-C, which the kernel turns into SIGINT for the terminal's foreground process group.
import * as path from 'node:path'
import { ROOT } from './paths'
import { start, type StartOptions } from './run'

export const PTY_DRIVER = path.join(ROOT, 'test', 'helpers', 'pty-driver.py')

export interface InPty {
  /** Everything the terminal showed so far. */
  screen(): string
  type(text: string): void
  /** How the command ended: `code=N` or `signal=N`, as the terminal's owner saw it. */
  done: Promise<{ exit: string; screen: string }>
  pid: number
}

export function inPty(command: string, args: string[], opts: StartOptions = {}): InPty {
  const run = start('python3', [PTY_DRIVER, command, ...args], { ...opts, keepStdin: true })
  let screen = ''
  run.child.stdout?.on('data', (d: Buffer) => (screen += d.toString()))
  return {
    screen: () => screen,
    type: (text) => run.child.stdin?.write(text),
    pid: run.child.pid as number,
    done: run.done.then((r) => {
      run.child.stdin?.end()
      return { exit: /pty-exit (\S+)/.exec(r.stderr)?.[1] ?? `driver ${r.code ?? r.signal}: ${r.stderr.slice(-300)}`, screen }
    }),
  }
}
