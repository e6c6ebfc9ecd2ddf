// HTTP server workload: bench/apps/http-server.js on core 0 under wrk on core 1. Per run: start the variant, warm
// up, read the server's own CPU time, measure, read it again, stop with SIGTERM, check the profiles.
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import { canPin, launch, pinned, waitForFile } from './lib/proc'
import { checkProfiles, VARIANTS, APPS, type VariantName } from './lib/variants'
import { finish, pickVariants, runRounds, type Figure, type Options, type WorkloadResult } from './lib/workload'
import { hasWrk, wrk } from './lib/wrk'

interface Stats {
  pid: number
  cpuUs: number
  maxRssKb: number
}

function getStats(port: number): Promise<Stats> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/__stats', agent: false, timeout: 10_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as Stats)
        } catch (err) {
          reject(err)
        }
      })
    })
    req.on('timeout', () => req.destroy(new Error('GET /__stats timed out')))
    req.on('error', reject)
  })
}

export const HTTP_VARIANTS: VariantName[] = ['bare', 'bare-control', 'dd-run', 'dd-run-nowatchdog', 'dd-run-nocpu', 'dd-run-wall', 'dd-run-space', 'dd-run-events', 'dd-run-exceptions', 'dd-run-off', 'bare-bundle', 'dd-run-bundle', 'dd-run-bundle-nomap', 'dd-trace-profiler', 'dd-trace', 'cpu-prof', 'bare-24', 'dd-run-24', 'dd-run-noevents-24', 'dd-run-notimeline-24', 'dd-run-wall-24', 'dd-run-nocpu-24', 'dd-run-nowatchdog-24', 'dd-run-nocontexts-24', 'bare-control-24', 'cpu-prof-24', 'dd-trace6-profiler-24', 'dd-trace6-24']

export const HTTP_FIGURES: Figure[] = [
  { key: 'cpuPerReqUs', label: 'CPU time per request (server process)', unit: 'us', digits: 1, compare: 'ratio', targets: [{ variant: 'dd-run', op: '<=', value: 1.02, text: '<= 1.02x' }, { variant: 'dd-run-24', op: '<=', value: 1.02, text: '<= 1.02x' }] },
  { key: 'rps', label: 'Requests per second', unit: 'req/s', digits: 0, compare: 'ratio', targets: [{ variant: 'dd-run', op: '>=', value: 0.98, text: '>= 0.98x' }, { variant: 'dd-run-24', op: '>=', value: 0.98, text: '>= 0.98x' }] },
  { key: 'p99Ms', label: 'p99 latency', unit: 'ms', digits: 2, compare: 'ratio', targets: [{ variant: 'dd-run', op: '<=', value: 1.05, text: '<= 1.05x' }, { variant: 'dd-run-24', op: '<=', value: 1.05, text: '<= 1.05x' }] },
  { key: 'maxRssMb', label: 'Peak RSS of the server process', unit: 'MB', digits: 1, compare: 'diff', targets: [{ variant: 'dd-run', op: '<=', value: 10, text: '<= +10 MB' }, { variant: 'dd-run-24', op: '<=', value: 10, text: '<= +10 MB' }] },
  { key: 'profileKbPerMin', label: 'Profile bytes per minute of run', unit: 'KB/min', digits: 1, compare: 'diff' },
]

export async function runHttp(opts: Options): Promise<WorkloadResult> {
  if (!hasWrk()) throw new Error('wrk is not installed: run `bash bench/install-deps.sh` (Debian package wrk)')
  const settings = {
    warmupSeconds: opts.httpWarmupSeconds ?? (opts.quick ? 1 : 5),
    seconds: opts.quick ? 3 : 15,
    connections: 16,
    uploadPeriod: 60,
    serverCore: canPin() ? 0 : null,
    loadCore: canPin() ? 1 : null,
  }
  const core = (n: number | null) => (n === null ? undefined : n)
  const variants = pickVariants(HTTP_VARIANTS, opts)
  const r = await runRounds('http', variants, opts, async (variant, _round, dir) => {
    const v = VARIANTS[variant]
    const outDir = path.join(dir, 'out')
    const portFile = path.join(dir, 'port')
    const cmd = pinned(v.command({ script: path.join(APPS, 'http-server.js'), args: [portFile], outDir, uploadPeriod: settings.uploadPeriod, closedPort: opts.closedPort }), core(settings.serverCore))
    const t0 = Date.now()
    const run = launch(cmd, path.join(dir, 'stderr.log'), 300_000)
    let serverPid: number | undefined
    try {
      const port = Number(await waitForFile(portFile, 30_000, run.done))
      const url = `http://127.0.0.1:${port}/`
      await wrk(url, settings.warmupSeconds, settings.connections, core(settings.loadCore))
      const s0 = await getStats(port)
      serverPid = s0.pid
      const w = await wrk(url, settings.seconds, settings.connections, core(settings.loadCore))
      const s1 = await getStats(port)
      // A few timeouts on an overloaded machine are a measure; many errors mean the server is broken.
      if (w.errors > w.requests / 100) throw new Error(`wrk saw ${w.errors} errors for ${w.requests} requests: ${w.output.slice(0, 600)}`)
      if (w.requests === 0) throw new Error('wrk made no requests')
      run.child.kill('SIGTERM') // the launcher forwards it to the server; bare node gets it directly
      const exit = await run.done
      if (exit.code !== 0) throw new Error(`the server ended with ${exit.signal ?? `code ${exit.code}`}: ${exit.stderrTail}`)
      const check = checkProfiles(v, outDir)
      const minutes = (Date.now() - t0) / 60_000
      return {
        values: {
          rps: w.rps,
          p99Ms: w.p99Ms,
          cpuPerReqUs: (s1.cpuUs - s0.cpuUs) / w.requests,
          maxRssMb: s1.maxRssKb / 1024,
          profileKbPerMin: check.bytes / 1024 / minutes,
        },
        check,
        raw: { requests: w.requests, wrkErrors: w.errors, seconds: w.seconds, p50Ms: w.p50Ms, serverPid: s1.pid, cpuUs: s1.cpuUs - s0.cpuUs, profileBytes: check.bytes, profileFiles: check.files, wallSamples: check.samples, runMs: Date.now() - t0 },
      }
    } finally {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        // A failed run: the server may sit in dd-run's child session, out of reach of the group kill.
        for (const pid of [serverPid, -run.child.pid!]) {
          try {
            if (pid) process.kill(pid, 'SIGKILL')
          } catch {
            /* gone */
          }
        }
        await run.done
      }
      fs.rmSync(portFile, { force: true })
    }
  })
  return finish('http', 'HTTP server under wrk (server and load generator on different cores)', settings, variants, HTTP_FIGURES, opts, r)
}
