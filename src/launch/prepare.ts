// Builds the child's environment from the resolved configuration: the DD_* variables, the --env-file variables
// and NODE_OPTIONS with the preload appended. Pure but for one existence check of the preload file.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { withConfig } from '../config/layers'
import type { LaunchConfig } from '../config/resolve'
import type { Logger } from '../log'
import { addPreload } from './node-options'
import { RUN_SERVICE_INFERRED } from '../run/env-names'
import { DIST_DIR } from '../dist-dir'

/** The built preload: dist/preload/index.js. */
export const PRELOAD_PATH = path.join(DIST_DIR, 'preload', 'index.js')

export type Prepared =
  | { ok: true; env: NodeJS.ProcessEnv; profiling: boolean; preload?: string }
  | { ok: false; error: string }

export function prepareLaunch(resolved: LaunchConfig, base: NodeJS.ProcessEnv, log: Logger, preload = PRELOAD_PATH): Prepared {
  const unchanged: NodeJS.ProcessEnv = { ...base, ...resolved.envFileVars }
  if (!resolved.config.profilingEnabled) {
    log.debug('profiling is disabled: the command runs unchanged')
    return { ok: true, env: unchanged, profiling: false }
  }
  const env = withConfig(unchanged, resolved.config)
  // process_tags tell a service the user named (svc.user) from one dd-run inferred (svc.auto), as dd-trace-js does.
  if (resolved.sources.service.source === 'package.json') env[RUN_SERVICE_INFERRED] = '1'
  else delete env[RUN_SERVICE_INFERRED]
  if (!fs.existsSync(preload)) {
    return { ok: false, error: `the preload is missing at ${preload}: build dd-run first (npm run build)` }
  }
  const options = addPreload(env.NODE_OPTIONS, preload)
  if (!options.ok) {
    return { ok: false, error: `NODE_OPTIONS=${JSON.stringify(env.NODE_OPTIONS)}: expected options Node can read (${options.reason})` }
  }
  if (!options.added) log.debug('NODE_OPTIONS already requires the preload; left as it is')
  env.NODE_OPTIONS = options.value
  return { ok: true, env, profiling: true, preload }
}
