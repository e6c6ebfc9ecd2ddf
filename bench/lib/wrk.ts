// Runs wrk (Debian package `wrk`) and reads its summary: requests, requests/s, latency percentiles, errors.
import { spawn } from 'node:child_process'
import { spawnSync } from 'node:child_process'

export interface WrkResult {
  requests: number
  seconds: number
  rps: number
  p50Ms: number
  p99Ms: number
  /** Socket errors plus non-2xx/3xx responses. */
  errors: number
  output: string
}

export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined
}

function ms(value: string, unit: string): number {
  const n = Number(value)
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60000 : n
}

export function parseWrk(out: string): WrkResult {
  const req = /(\d+) requests in ([\d.]+)(ms|s|m)/.exec(out)
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  const p50 = /^\s*50%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out)
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out)
  if (!req || !rps || !p99 || !p50) throw new Error(`could not read wrk's output: ${out.slice(0, 400)}`)
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)
  const errors = (sock ? sock.slice(1).reduce((s, x) => s + Number(x), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0)
  return {
    requests: Number(req[1]),
    seconds: ms(req[2]!, req[3]!) / 1000,
    rps: Number(rps[1]),
    p50Ms: ms(p50[1]!, p50[2]!),
    p99Ms: ms(p99[1]!, p99[2]!),
    errors,
    output: out,
  }
}

/** wrk on one thread, pinned to `core` when given, for `seconds` against `url`. */
export function wrk(url: string, seconds: number, connections: number, core: number | undefined): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]
  const [file, argv] = core === undefined ? ['wrk', args] : ['taskset', ['-c', String(core), 'wrk', ...args]]
  return new Promise((resolve, reject) => {
    const p = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    p.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))
    const timer = setTimeout(() => p.kill('SIGKILL'), (seconds + 30) * 1000)
    p.on('error', reject)
    p.on('close', (code) => {
      clearTimeout(timer)
      if (code !== 0) return reject(new Error(`wrk ended with ${code}: ${out.slice(0, 400)}`))
      try {
        resolve(parseWrk(out))
      } catch (err) {
        reject(err)
      }
    })
  })
}
