// dd-run's own scripts and @datadog/pprof's (and its encoder's) are never source mapped: their frames must stay
// recognisable as the profiler's (report/frame-names.ts groups them), and dd-run's bundles have no map that
// matches them.
import * as path from 'node:path'
import { DIST_DIR } from '../dist-dir'

const OWN = DIST_DIR + path.sep
const PROFILER_PACKAGE = /[/\\]node_modules[/\\](?:@datadog[/\\]pprof|pprof-format|dd-run[/\\]dist)[/\\]/

export function isProfilerScript(file: string): boolean {
  const p = file.startsWith('file://') ? file.slice(7) : file
  return p.startsWith(OWN) || PROFILER_PACKAGE.test(p)
}
