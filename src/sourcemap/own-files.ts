// dd-run's own scripts and @datadog/pprof's are never source mapped: their frames must stay recognisable as the
// profiler's (report/profiler-frames.ts groups them), and dd-run's bundles have no map that matches them.
import * as path from 'node:path'
import { DIST_DIR } from '../dist-dir'

const OWN = [DIST_DIR + path.sep, path.join(path.dirname(DIST_DIR), 'node_modules') + path.sep]
const PPROF = `${path.sep}node_modules${path.sep}@datadog${path.sep}pprof${path.sep}`

export function isProfilerScript(file: string): boolean {
  const p = file.startsWith('file://') ? file.slice(7) : file
  return OWN.some((dir) => p.startsWith(dir)) || p.includes(PPROF)
}
