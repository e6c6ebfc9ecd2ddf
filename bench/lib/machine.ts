// What the figures were measured on, saved with them: figures from another machine or another load mean little.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { canPin } from './proc'
import { ROOT } from './variants'

function version(pkg: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return undefined
  }
}

function firstLine(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  return r.status === 0 || r.stdout ? (r.stdout + r.stderr).trim().split('\n')[0] : undefined
}

export function machineInfo(): Record<string, unknown> {
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model,
    cpuMhz: os.cpus()[0]?.speed,
    memTotalMb: Math.round(os.totalmem() / 1048576),
    loadAverage: os.loadavg(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    pinning: canPin(),
    wrk: firstLine('wrk', ['--version']),
    ddRun: version('../'),
    ddTrace: version('dd-trace'),
    datadogPprof: version('@datadog/pprof'),
    gitCommit: firstLine('git', ['-C', ROOT, 'rev-parse', 'HEAD']),
    gitDirty: (spawnSync('git', ['-C', ROOT, 'status', '--porcelain'], { encoding: 'utf8' }).stdout ?? '').trim().length > 0,
  }
}
