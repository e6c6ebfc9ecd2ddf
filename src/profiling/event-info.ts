// What a profiled process says about itself in every bundle: the inputs of its tags_profiler (see tags.ts), the
// `info` object and `process_tags` of event.json, as dd-trace-js fills them. Read once, when the session starts.
import * as os from 'node:os'
import * as path from 'node:path'
import type { Config } from '../config/schema'
import { PRODUCT_VERSION } from '../version'
import type { Identity } from './process-kind'
import { WALL_INTERVAL_MICROS } from './profilers'
import type { TagInputs } from './tags'
import { isoTime } from '../iso-time'

/**
 * process_tags of event.json, built as dd-trace-js builds them (sorted keys, lower case, other characters as _):
 * how the process was started and from where, so the backend can tell apart the processes of one service.
 * dd-trace-js's `package.json.name` is left out: it would cost the preload a file search in every process.
 */
export function processTags(argv: readonly string[], cwd: string, serviceSet: boolean, service: string): string {
  const script = argv[1] ?? ''
  const tags: [string, string | undefined][] = [
    ['entrypoint.basedir', script ? path.basename(path.dirname(script)) : undefined],
    ['entrypoint.name', path.basename(script, path.extname(script)) || undefined],
    ['entrypoint.type', 'script'],
    ['entrypoint.workdir', path.basename(cwd) || undefined],
    serviceSet ? ['svc.user', 'true'] : ['svc.auto', service],
  ]
  return tags
    .filter((t): t is [string, string] => t[1] !== undefined)
    .map(([k, v]) => `${k}:${v.toLowerCase().replace(/[^a-zA-Z0-9/_.-]+/g, '_')}`)
    .join(',')
}

export function tagInputs(identity: Identity, config: Config, service: string): TagInputs {
  return {
    identity,
    service,
    env: config.env,
    version: config.version,
    userTags: config.tags,
    host: config.reportHostname ? os.hostname() : undefined,
    git: { commitSha: config.gitCommitSha, repositoryUrl: config.gitRepositoryUrl },
    profilerVersion: PRODUCT_VERSION,
    runtime: { version: process.version, arch: process.arch, os: process.platform },
  }
}

export function eventInfo(
  config: Config,
  service: string,
  profilers: readonly string[],
  platform: Record<string, unknown>,
  auto: boolean,
  runtime: { allocations: boolean; asyncContextFrame: boolean },
): Record<string, unknown> {
  const startTime = isoTime(Date.now() - process.uptime() * 1000)
  return {
    application: { service, env: config.env, version: config.version, start_time: startTime },
    platform,
    profiler: {
      // dd-trace-js: manual when DD_PROFILING_ENABLED=true, auto for auto; injection when single-step
      // instrumentation put the library in.
      activation: config.injection ? 'injection' : auto || config.profilingEnabled === 'auto' ? 'auto' : 'manual',
      ssi: { mechanism: config.injection ? 'injected_agent' : 'none' },
      serverless: isServerless(process.env),
      version: PRODUCT_VERSION,
      settings: {
        profilers,
        uploadPeriodSeconds: config.uploadPeriod,
        wallSamplingIntervalMicros: WALL_INTERVAL_MICROS,
        cpuTime: config.cpuEnabled,
        timelineEnabled: config.timelineEnabled,
        heapSamplingIntervalBytes: config.heapSamplingInterval,
        exporters: config.exporters ?? null,
        allocationProfiling: runtime.allocations,
        labelsOnAsyncContextFrame: runtime.asyncContextFrame,
      },
    },
    runtime: { engine: 'nodejs', version: process.versions.node, available_processors: os.availableParallelism?.() ?? os.cpus().length },
  }
}

/** Whether the process runs in a serverless function (AWS Lambda, Azure Functions, Google Cloud Functions). */
/** info.platform; the host name only with DD_TRACE_REPORT_HOSTNAME=true, as dd-trace-js. */
export function platformInfo(reportHostname: boolean): Record<string, unknown> {
  return { ...(reportHostname ? { hostname: os.hostname() } : {}), kernel_name: os.type(), kernel_release: os.release(), kernel_version: safe(() => os.version()) }
}

function safe(f: () => string): string | undefined {
  try {
    return f()
  } catch {
    return undefined
  }
}

function isServerless(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME || env.FUNCTIONS_WORKER_RUNTIME || env.K_SERVICE || env.FUNCTION_NAME)
}
