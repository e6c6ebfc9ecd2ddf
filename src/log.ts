// The one logger. Everything dd-run says goes to stderr with a `dd-run:` prefix; the app's stdout is never touched.
// Colour is applied by a painter the launcher installs on a TTY; the preload never does.

export interface Painter {
  prefix(s: string): string
  warn(s: string): string
  error(s: string): string
  dim(s: string): string
}

const plain: Painter = { prefix: (s) => s, warn: (s) => s, error: (s) => s, dim: (s) => s }

export interface Logger {
  error(msg: string): void
  warn(msg: string): void
  info(msg: string): void
  debug(msg: string): void
  readonly painter: Painter
}

export interface LoggerOptions {
  debug?: boolean
  quiet?: boolean
  painter?: Painter
  /** Where lines go; stderr by default. Tests pass a collector. */
  write?: (line: string) => void
  /** Shown after the prefix, e.g. the pid in a preload. */
  tag?: string
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const painter = opts.painter ?? plain
  const write =
    opts.write ??
    ((line: string) => {
      try {
        process.stderr.write(line + '\n')
      } catch {
        // stderr closed: nothing to say it with.
      }
    })
  const head = painter.prefix(opts.tag ? `dd-run[${opts.tag}]:` : 'dd-run:')
  return {
    painter,
    error: (msg) => write(`${head} ${painter.error(msg)}`),
    warn: (msg) => {
      if (!opts.quiet) write(`${head} ${painter.warn(msg)}`)
    },
    info: (msg) => {
      if (!opts.quiet) write(`${head} ${msg}`)
    },
    debug: (msg) => {
      if (opts.debug) write(`${head} ${painter.dim(msg)}`)
    },
  }
}

/** Colour only on a TTY, never with NO_COLOR (https://no-color.org) or --no-color; FORCE_COLOR forces it. */
export function wantsColor(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }, flag: boolean | undefined): boolean {
  if (flag === false) return false
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true
  return stream.isTTY === true && env.TERM !== 'dumb'
}

/**
 * Four SGR escape codes (the basic 16-colour set every terminal that is a TTY understands) are all dd-run paints
 * with. A library for them cost about 12 ms of an interactive launch: loading chalk's ESM graph before the command
 * starts. The close codes are the specific ones (39 for colour, 22 for dim), so a painted part never resets a style
 * around it.
 */
function sgr(open: number, close: number): (s: string) => string {
  return (s) => `\x1b[${open}m${s}\x1b[${close}m`
}

export function colorPainter(): Painter {
  return { prefix: sgr(35, 39), warn: sgr(33, 39), error: sgr(31, 39), dim: sgr(2, 22) }
}

/** An error's message, first line only: what a one-line warning or a status says of it. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.split('\n')[0] ?? text
}

let stdoutGuarded = false

/**
 * dd-run's own output on stdout (help, --info, top, diff, doctor...). A reader that stops early (`dd-run --help |
 * head -1`) closes the pipe: the rest of the output is dropped and dd-run exits as it would have, instead of dying
 * on an unhandled EPIPE with a stack trace. Never used while a command runs: the launcher does not touch its
 * process.stdout then (a pipe opened there would be made non-blocking for the command too).
 */
export function writeStdout(text: string): void {
  if (!stdoutGuarded) {
    stdoutGuarded = true
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0)
    })
  }
  process.stdout.write(text)
}
