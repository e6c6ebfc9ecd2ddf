// Runs dd-run (or any command) as a real process and collects what it did. Every process started here is killed
// when the test ends, whatever happens.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after } from 'node:test'
import { DD_RUN } from './paths'

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Milliseconds from spawn to exit. */
  ms: number
}

const started = new Set<ChildProcess>()
after(() => {
  for (const p of started) {
    try {
      // Negative pid: the whole group, for processes started detached.
      if (p.pid && p.exitCode === null && p.signalCode === null) process.kill(-p.pid, 'SIGKILL')
    } catch {
      try {
        p.kill('SIGKILL')
      } catch {
        /* gone */
      }
    }
  }
})

let scratch: string | undefined
/**
 * One output directory per test file, so that no test ever writes profiles into the checkout. Removed when the
 * file ends (not when the first test using it ends: later tests write there too).
 */
function scratchOutput(): string {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'dd-run-out-'))
  return scratch
}
after(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true })
})

/**
 * A clean environment for dd-run: the caller's PATH and HOME, no DD_* or NODE_OPTIONS from the test runner, and
 * profiles written to a temporary directory unless the test says where.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('DD_') || k === 'NODE_OPTIONS' || k.startsWith('NODE_TEST') || k === 'FORCE_COLOR') continue
    env[k] = v
  }
  return { ...env, NO_COLOR: '1', DD_PROFILING_OUTPUT_DIR: scratchOutput(), ...extra }
}

export interface StartOptions extends SpawnOptions {
  input?: string
  /** Leave the child's stdin open (the caller ends it); by default it is closed at once. */
  keepStdin?: boolean
  /** Kill the process (SIGKILL) after this many ms; the test then fails on the result. Default 60 s. */
  timeoutMs?: number
}

/** Starts a process; the returned promise resolves when it exits. */
export function start(file: string, args: string[], opts: StartOptions = {}): { child: ChildProcess; done: Promise<RunResult> } {
  const t0 = Date.now()
  const child = spawn(file, args, { env: cleanEnv(), ...opts, stdio: ['pipe', 'pipe', 'pipe'] })
  started.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  if (opts.input !== undefined) child.stdin?.end(opts.input)
  else if (!opts.keepStdin) child.stdin?.end()
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      started.delete(child)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 })
    })
  })
  return { child, done }
}

/** Runs `dd-run ...args` to completion. */
export function ddRun(args: string[], opts: StartOptions = {}): Promise<RunResult> {
  return start(process.execPath, [DD_RUN, ...args], opts).done
}

/** A fresh temporary directory, removed when the test file ends. */
export function tempDir(prefix = 'dd-run-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const t0 = Date.now()
  while (!predicate()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * SIGKILLs `pid` if it still runs a command line containing one of `markers`: for processes a test could not reach through
 * a process group it created (dd-run starts commands in a session of their own), never a pid reused meanwhile.
 */
export function killIfStill(pid: number, ...markers: string[]): void {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    if (!markers.some((m) => cmdline.includes(m))) return
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone already
  }
}
