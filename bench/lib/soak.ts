// The soak: an HTTP server under steady load, profiled by dd-run with a 1 s upload period, for minutes, against a
// fake agent that accepts everything ('up') or against a closed port ('dead'). Samples the server's RSS every
// second and, with the agent up, the export latency of every bundle (its arrival at the agent minus its end time).
// Reports the slopes (a leak shows as a steady rise), the profile_seq numbers missing at the agent and the drops
// dd-run counted. Used by bench/soak.ts (10 minutes) and test/reliability/soak.test.ts (a CI-sized minute).
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { FakeAgent } from '../../test/helpers/fake-agent'
import { percentile } from './stats'
import { ROOT } from './variants'

export interface SoakOptions {
  seconds: number
  agent: 'up' | 'dead'
  /** The same server and load without profiling (dd-run --no-profiling): the baseline for the RSS figures. */
  bare?: boolean
  /** Requests in flight at once, each connection looping with a pause: a steady, not saturating, load. */
  connections?: number
  pauseMs?: number
}

export interface SoakResult {
  agent: 'up' | 'dead'
  seconds: number
  requests: number
  exitCode: number | null
  /** From SIGTERM to dd-run's exit: the server's own shutdown plus dd-run's final flush. */
  exitDelayMs: number
  uploads: number
  lastSeq: number
  /** profile_seq numbers (0..lastSeq) the agent never received. */
  missing: number[]
  /** What dd-run's run summary counted as lost. */
  failed: number
  dropped: number
  rssMb: { first: number; last: number; max: number }
  /** Least-squares slope of RSS after the first fifth of the run, MB per minute. */
  rssSlopeMbPerMin: number
  /** RSS at the end of each minute, MB. */
  rssByMinute: number[]
  bare: boolean
  latencyMs?: { p50: number; p99: number; max: number }
  latencySlopeMsPerMin?: number
  warnings: string[]
}

const DD_RUN = path.join(ROOT, 'dist', 'bin', 'dd-run.js')
const SERVER = path.join(ROOT, 'bench', 'apps', 'http-server.js')

export async function soak(o: SoakOptions): Promise<SoakResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-run-soak-'))
  const agent = o.agent === 'up' ? await FakeAgent.start() : undefined
  const url = agent?.url ?? `http://127.0.0.1:${await closedPort()}`
  const portFile = path.join(work, 'port')
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DD_') && k !== 'NODE_OPTIONS') env[k] = v
  Object.assign(env, { NO_COLOR: '1', DD_TRACE_AGENT_URL: url, DD_PROFILING_OUTPUT_DIR: path.join(work, 'out'), DD_PROFILING_FLUSH_TIMEOUT: '3' })
  const child = spawn(process.execPath, [DD_RUN, ...(o.bare ? ['--no-profiling'] : []), '--exporters', 'agent', '--upload-period', '1', '-s', 'soak', 'node', SERVER, portFile], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  try {
    const port = await waitForPort(portFile, 30_000)
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: o.connections ?? 4 })
    const stats = JSON.parse(await get(keepAlive, port, '/__stats')) as { pid: number }
    const t0 = Date.now()
    const until = t0 + o.seconds * 1000
    let requests = 0
    const loops = Array.from({ length: o.connections ?? 4 }, async () => {
      while (Date.now() < until) {
        await get(keepAlive, port, '/')
        requests++
        await sleep(o.pauseMs ?? 5)
      }
    })
    const rss: [number, number][] = []
    const sampler = setInterval(() => {
      const kb = /VmRSS:\s+(\d+)/.exec(readOr(`/proc/${stats.pid}/status`))?.[1]
      if (kb) rss.push([(Date.now() - t0) / 60_000, Number(kb) / 1024])
    }, 1000)
    await Promise.all(loops)
    clearInterval(sampler)
    keepAlive.destroy()
    const stopAt = Date.now()
    child.kill('SIGTERM')
    const exitCode = await exited
    const exitDelayMs = Date.now() - stopAt

    const seqs = (agent?.uploads ?? []).map((u) => Number(/(?:^|,)profile_seq:(\d+)/.exec(u.event.tags_profiler)?.[1]))
    const lastSeq = Math.max(0, ...seqs)
    const got = new Set(seqs)
    const missing: number[] = []
    // profile_seq counts from 0, as dd-trace-js does.
    if (seqs.length > 0) for (let s = 0; s <= lastSeq; s++) if (!got.has(s)) missing.push(s)
    const lost = /(\d+) failed and (\d+) dropped/.exec(stderr)
    const steady = rss.slice(Math.floor(rss.length / 5))
    const result: SoakResult = {
      agent: o.agent,
      seconds: o.seconds,
      requests,
      exitCode,
      exitDelayMs,
      uploads: agent?.uploads.length ?? 0,
      lastSeq,
      missing,
      failed: Number(lost?.[1] ?? 0),
      dropped: Number(lost?.[2] ?? 0),
      rssMb: { first: round(rss[0]?.[1] ?? 0), last: round(rss.at(-1)?.[1] ?? 0), max: round(Math.max(0, ...rss.map((r) => r[1]))) },
      rssSlopeMbPerMin: round(slope(steady)),
      rssByMinute: Array.from({ length: Math.floor(o.seconds / 60) }, (_, m) => round(rss.filter((r) => r[0] <= m + 1).at(-1)?.[1] ?? 0)),
      bare: o.bare === true,
      warnings: stderr.split('\n').filter((l) => /^dd-run: (?!run summary)\S/.test(l)),
    }
    if (agent && agent.uploads.length > 0) {
      const lat = agent.uploads.map((u) => [(Date.parse(u.event.end) - t0) / 60_000, u.at - Date.parse(u.event.end)] as [number, number])
      const ms = lat.map((l) => l[1])
      result.latencyMs = { p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)), max: round(Math.max(...ms)) }
      result.latencySlopeMsPerMin = round(slope(lat.slice(Math.floor(lat.length / 5))))
    }
    return result
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await agent?.close()
    fs.rmSync(work, { recursive: true, force: true })
  }
}

/** Least-squares slope of y over x. */
export function slope(points: [number, number][]): number {
  const n = points.length
  if (n < 2) return 0
  const mx = points.reduce((s, p) => s + p[0], 0) / n
  const my = points.reduce((s, p) => s + p[1], 0) / n
  let num = 0
  let den = 0
  for (const [x, y] of points) {
    num += (x - mx) * (y - my)
    den += (x - mx) ** 2
  }
  return den === 0 ? 0 : num / den
}

function get(agent: http.Agent, port: number, p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent }, (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (d: string) => (body += d))
        res.on('end', () => resolve(body))
      })
      .on('error', reject)
  })
}

async function waitForPort(file: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    const text = readOr(file)
    if (/^\d+$/.test(text)) return Number(text)
    if (Date.now() - t0 > timeoutMs) throw new Error(`the server wrote no port to ${file} within ${timeoutMs} ms`)
    await sleep(50)
  }
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim()
  } catch {
    return ''
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const round = (n: number) => Math.round(n * 100) / 100
