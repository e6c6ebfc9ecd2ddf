// The one table of settings. Parsing, `--help`, `--info`, `--dry-run` and docs/configuration.md all read it:
// adding a setting is adding a row here.
import { MAX_HEAP_INTERVAL, MAX_OUTPUT_MB, MAX_SERVICE_BYTES, MAX_TAG_LENGTH, MAX_TIMER_MS, MAX_TIMER_SECONDS, TIMER_LIMIT } from './limits'
import { agentUrl, bool, boolOrAuto, enabledMode, hostName, intakeUrl, nameList, num, path, patternList, port, tagList, text, uploadCompression, type ValueType } from './value-types'

export const PROFILER_NAMES = ['wall', 'space', 'events', 'exceptions'] as const
export type ProfilerName = (typeof PROFILER_NAMES)[number]
export const EXPORTER_NAMES = ['file', 'agent', 'agentless'] as const
export type ExporterName = (typeof EXPORTER_NAMES)[number]

export type Group = 'Tagging' | 'Profiling' | 'Output and export' | 'Launcher'

export interface Setting<T> {
  /** The environment variable; every setting has one so the preload can read it without the launcher. */
  readonly env: string
  /** Commander flag syntax, when the setting has a flag. */
  readonly flag?: string
  /** A `--no-x` flag that sets the value to false. */
  readonly negate?: string
  /** Flags that may be given several times (values are joined with commas). */
  readonly repeatable?: boolean
  readonly type: ValueType<T>
  readonly default: T
  /** How the default is chosen, when it is not a constant (shown in docs and --help). */
  readonly defaultText?: string
  readonly doc: string
  readonly group: Group
  /** Never printed: shown as **** plus the last 4 characters. */
  readonly secret?: boolean
  /** An address that may carry a user and password (scheme://user:pw@host): printed with them replaced by ***. */
  readonly hasAddress?: boolean
  /**
   * Other names of the variable, read when the main one is unset, in this order: the names dd-trace-js and
   * ddtrace-py accept, so an environment set up for them works unchanged.
   */
  readonly aliases?: readonly string[]
}

function setting<T>(row: Setting<T>): Setting<T> {
  return row
}
function optional<T>(row: Omit<Setting<T | undefined>, 'default' | 'type'> & { type: ValueType<T> }): Setting<T | undefined> {
  return { ...row, default: undefined } as Setting<T | undefined>
}

export const SCHEMA = {
  service: optional({
    env: 'DD_SERVICE',
    aliases: ['DD_SERVICE_NAME'],
    flag: '-s, --service <name>',
    type: text('a service name', { max: MAX_SERVICE_BYTES, bytes: true, why: 'the Datadog Agent cuts longer service names' }),
    defaultText: 'the "name" of the nearest package.json, else "node"',
    doc: 'Service name the profiles are filed under.',
    group: 'Tagging',
  }),
  env: optional({
    env: 'DD_ENV',
    flag: '-e, --env <env>',
    type: text('an environment name', { max: MAX_TAG_LENGTH - 'env:'.length, why: `the tag env:<value> is at most ${MAX_TAG_LENGTH} characters` }),
    doc: 'Environment (prod, staging, ...).',
    group: 'Tagging',
  }),
  version: optional({
    env: 'DD_VERSION',
    flag: '--service-version <version>',
    type: text('a version string', { max: MAX_TAG_LENGTH - 'version:'.length, why: `the tag version:<value> is at most ${MAX_TAG_LENGTH} characters` }),
    defaultText: 'the "version" of the nearest package.json',
    doc: 'Version of the service.',
    group: 'Tagging',
  }),
  tags: setting<Record<string, string>>({
    env: 'DD_TAGS',
    aliases: ['DD_PROFILING_TAGS'],
    flag: '-t, --tags <key:value,...>',
    repeatable: true,
    type: tagList({ max: MAX_TAG_LENGTH, why: 'the Datadog limit on a tag' }),
    default: {},
    doc: 'Extra tags on every profile. The flag may be repeated.',
    group: 'Tagging',
  }),
  reportHostname: setting({
    env: 'DD_TRACE_REPORT_HOSTNAME',
    type: bool(),
    default: false,
    doc: 'Send the host name (the host tag and info.platform.hostname), as dd-trace-js does only when asked: the Datadog Agent adds its own host tag, and a container\'s host name would be a second, different host.',
    group: 'Tagging',
  }),
  gitCommitSha: optional({
    env: 'DD_GIT_COMMIT_SHA',
    type: text('a git commit id', { max: MAX_TAG_LENGTH - 'git.commit.sha:'.length, why: `the tag git.commit.sha:<value> is at most ${MAX_TAG_LENGTH} characters` }),
    defaultText: 'the commit checked out in the directory dd-run starts in, found by the launcher',
    doc: 'The git.commit.sha tag, for Datadog Source Code Integration.',
    group: 'Tagging',
  }),
  gitRepositoryUrl: optional({
    env: 'DD_GIT_REPOSITORY_URL',
    type: text('a repository URL', { max: MAX_TAG_LENGTH - 'git.repository_url:'.length, why: `the tag git.repository_url:<value> is at most ${MAX_TAG_LENGTH} characters` }),
    defaultText: 'the "origin" remote of that checkout, without credentials, found by the launcher',
    doc: 'The git.repository_url tag, for Datadog Source Code Integration.',
    group: 'Tagging',
    hasAddress: true,
  }),
  profilingEnabled: setting({
    env: 'DD_PROFILING_ENABLED',
    aliases: ['DD_EXPERIMENTAL_PROFILING_ENABLED'],
    flag: '-p, --profiling',
    negate: '--no-profiling',
    type: enabledMode(),
    default: true as boolean | 'auto',
    doc: 'Profile the command. When false the command runs unchanged, without the preload. auto (set by Datadog single-step instrumentation) profiles a process only once it has lived 30 seconds, as dd-trace-js does: short-lived build tools and scripts are left alone.',
    group: 'Profiling',
  }),
  profilers: setting<ProfilerName[]>({
    env: 'DD_PROFILING_PROFILERS',
    flag: '--profilers <names>',
    type: nameList(PROFILER_NAMES),
    default: ['wall', 'space', 'events', 'exceptions'],
    doc: 'Profilers to run: wall (wall time, with CPU time per sample), space (heap), events (GC pauses and event-loop blocking) and exceptions (uncaught exceptions and unhandled rejections).',
    group: 'Profiling',
  }),
  walltimeEnabled: optional({
    env: 'DD_PROFILING_WALLTIME_ENABLED',
    type: bool(),
    doc: 'Adds (true) or removes (false) the wall profiler from the list, as in dd-trace-js.',
    group: 'Profiling',
  }),
  heapEnabled: optional({
    env: 'DD_PROFILING_HEAP_ENABLED',
    type: bool(),
    doc: 'Adds (true) or removes (false) the space (heap) profiler from the list, as in dd-trace-js.',
    group: 'Profiling',
  }),
  eventLoopThreshold: setting({
    env: 'DD_PROFILING_EVENT_LOOP_THRESHOLD_MS',
    type: num({ min: 1, max: MAX_TIMER_MS, why: TIMER_LIMIT, unit: 'milliseconds' }),
    default: 50,
    doc: 'The events profile records a tick of the event loop that lasts longer than this (event-loop blocking).',
    group: 'Profiling',
  }),
  asyncContextFrameEnabled: setting({
    env: 'DD_PROFILING_ASYNC_CONTEXT_FRAME_ENABLED',
    type: bool(),
    default: true,
    doc: 'Where AsyncLocalStorage runs on AsyncContextFrame (Node 24 and newer, or 22 with --experimental-async-context-frame), withLabels labels travel with the async work itself (@datadog/pprof\'s useCPED) instead of an async_hooks hook, as in dd-trace-js 6.x. false keeps the hook.',
    group: 'Profiling',
  }),
  allocationEnabled: setting({
    env: 'DD_PROFILING_ALLOCATION_ENABLED',
    type: bool(),
    default: true,
    doc: 'On Node 26 and newer, the space profile also counts every sampled allocation, freed or not (alloc_objects, alloc_space beside inuse_objects, inuse_space), as dd-trace-js 6.x does. Costs a full garbage collection each time the profile is taken (see docs/performance.md). Ignored on older Node.',
    group: 'Profiling',
  }),
  oomMonitoring: setting({
    env: 'DD_PROFILING_OOM_MONITORING',
    aliases: ['DD_PROFILING_OOM_MONITORING_ENABLED', 'DD_PROFILING_EXPERIMENTAL_OOM_MONITORING_ENABLED'],
    type: bool(),
    default: true,
    doc: 'When the heap nears its limit, write a heap profile (snapshot:on_oom) before the process dies. Needs the space profiler.',
    group: 'Profiling',
  }),
  cpuEnabled: setting({
    env: 'DD_PROFILING_CPU_ENABLED',
    aliases: ['DD_PROFILING_EXPERIMENTAL_CPU_ENABLED'],
    type: bool(),
    default: true,
    doc: 'Record CPU time with each wall-time sample (cpu/nanoseconds).',
    group: 'Profiling',
  }),
  timelineEnabled: setting({
    env: 'DD_PROFILING_TIMELINE_ENABLED',
    aliases: ['DD_PROFILING_EXPERIMENTAL_TIMELINE_ENABLED'],
    type: bool(),
    default: true,
    doc: 'Put the end time (end_timestamp_ns) on every wall-time sample, as dd-trace-js does: Datadog\'s timeline view is drawn from it. Costs one sample per tick instead of one per stack.',
    group: 'Profiling',
  }),
  heapSamplingInterval: setting({
    env: 'DD_PROFILING_HEAP_SAMPLING_INTERVAL',
    type: num({ min: 1024, max: MAX_HEAP_INTERVAL, why: 'the heap profiler takes a 32-bit interval', integer: true, unit: 'bytes' }),
    default: 512 * 1024,
    doc: 'Average number of bytes allocated between two heap samples.',
    group: 'Profiling',
  }),
  uploadPeriod: setting({
    env: 'DD_PROFILING_UPLOAD_PERIOD',
    aliases: ['DD_PROFILING_UPLOAD_INTERVAL'],
    flag: '--upload-period <seconds>',
    type: num({ min: 1, max: MAX_TIMER_SECONDS, why: TIMER_LIMIT, unit: 'seconds' }),
    default: 60,
    doc: 'Seconds between two profiles of a process.',
    group: 'Profiling',
  }),
  watchdog: setting<boolean | 'auto'>({
    env: 'DD_PROFILING_WATCHDOG',
    type: boolOrAuto(),
    default: 'auto',
    doc: 'A helper thread per profiled process takes the periodic profile when the main thread has not yielded for a whole upload period (a long synchronous job, an endless loop) and answers dd-run snapshot; under the agent or agentless exporter it also sends those profiles during the run. It costs what a Node worker thread costs: about 28 ms of CPU at start (on another core when there is one) and 9 MB of memory per process (12 MB on Node 22 and later). auto: started at once in the process the run started (role main), and in other processes once they have run for 1 s (short-lived children pay nothing; one that never yields from its start gets its profile at exit). true: at once everywhere. Never in worker threads, nor under --inspect.',
    group: 'Profiling',
  }),
  workerThreads: setting({
    env: 'DD_PROFILING_WORKER_THREADS',
    type: bool(),
    default: true,
    doc: 'Profile worker threads, each as its own profile.',
    group: 'Profiling',
  }),
  sourceMap: setting({
    env: 'DD_PROFILING_SOURCE_MAP',
    type: bool(),
    default: true,
    doc: 'Put frames of compiled code (TypeScript, tsx, ts-node, @swc-node/register, jest, bundles) at their original source location and name, from source maps (on disk, inline, held by Node, or inline in code compiled in memory), in the profiled process before export; dd-run top, report and diff also map profiles recorded without it.',
    group: 'Profiling',
  }),
  only: optional({
    env: 'DD_PROFILING_ONLY',
    flag: '--only <patterns>',
    type: patternList(),
    doc: 'Profile only the Node processes whose script path and arguments match one of these patterns.',
    group: 'Profiling',
  }),
  skip: optional({
    env: 'DD_PROFILING_SKIP',
    flag: '--skip <patterns>',
    type: patternList(),
    doc: 'Leave alone the Node processes whose script path and arguments match one of these patterns.',
    group: 'Profiling',
  }),
  exporters: optional({
    env: 'DD_PROFILING_EXPORTERS',
    flag: '--exporters <names>',
    type: nameList(EXPORTER_NAMES),
    defaultText: 'agent when an agent address is set or an agent answers at the default one, else file',
    doc: 'Where profiles go: file (the output directory), agent (a Datadog Agent), agentless (the intake, needs DD_API_KEY).',
    group: 'Output and export',
  }),
  outputDir: setting({
    env: 'DD_PROFILING_OUTPUT_DIR',
    flag: '-o, --output-dir <dir>',
    type: path(),
    default: 'dd-profiles',
    doc: 'Directory of the file exporter, resolved against the directory dd-run starts in. It must be yours: a symlink or directory owned by another user is refused and profiles go to ~/.dd-run/profiles (see docs/exporters.md).',
    group: 'Output and export',
  }),
  outputMaxMb: setting({
    env: 'DD_PROFILING_OUTPUT_MAX_MB',
    type: num({ min: 1, max: MAX_OUTPUT_MB, why: 'sizes are counted in bytes, exactly up to 2^53-1', unit: 'MiB' }),
    default: 256,
    doc: 'Size cap of the output directory; the oldest profiles are removed first.',
    group: 'Output and export',
  }),
  agentUrl: optional({
    env: 'DD_TRACE_AGENT_URL',
    flag: '--agent-url <url>',
    type: agentUrl(),
    doc: 'Datadog Agent address (http://, https:// or unix://); wins over host and port. A user:password@ in it is sent as basic auth, and printed as ***@.',
    group: 'Output and export',
    hasAddress: true,
  }),
  agentHost: optional({
    env: 'DD_AGENT_HOST',
    aliases: ['DD_TRACE_AGENT_HOSTNAME'],
    type: hostName('a host name, IPv4 or IPv6 address, without port, path or credentials (the port is DD_TRACE_AGENT_PORT)'),
    doc: 'Datadog Agent host (default 127.0.0.1).',
    group: 'Output and export',
    hasAddress: true,
  }),
  agentPort: optional({
    env: 'DD_TRACE_AGENT_PORT',
    type: port(),
    doc: 'Datadog Agent trace port (default 8126).',
    group: 'Output and export',
  }),
  site: setting({
    env: 'DD_SITE',
    type: hostName('a Datadog site such as datadoghq.com or datadoghq.eu'),
    default: 'datadoghq.com',
    doc: 'Datadog site, for agentless export.',
    group: 'Output and export',
    hasAddress: true,
  }),
  apiKey: optional({
    env: 'DD_API_KEY',
    type: text('an API key'),
    doc: 'API key for agentless export. Never printed.',
    group: 'Output and export',
    secret: true,
  }),
  flushTimeout: setting({
    env: 'DD_PROFILING_FLUSH_TIMEOUT',
    type: num({ min: 0, max: MAX_TIMER_SECONDS, why: TIMER_LIMIT, unit: 'seconds' }),
    default: 3,
    doc: 'At exit, the longest the launcher waits for the last profiles to reach the agent or the intake; what is not delivered by then is written to the output directory.',
    group: 'Output and export',
  }),
  uploadTimeout: setting({
    env: 'DD_PROFILING_UPLOAD_TIMEOUT',
    aliases: ['DD_PROFILING_API_TIMEOUT_MS'],
    type: num({ min: 100, max: MAX_TIMER_MS, why: TIMER_LIMIT, integer: true, unit: 'milliseconds' }),
    default: 10000,
    doc: 'The longest one upload attempt to the agent or the intake may take, in milliseconds as in dd-trace-js, before it counts as failed and is retried (dd-trace-js waits up to 60000; dd-run retries within the upload period instead).',
    group: 'Output and export',
  }),
  uploadCompression: setting({
    env: 'DD_PROFILING_DEBUG_UPLOAD_COMPRESSION',
    type: uploadCompression(),
    default: { method: 'on' },
    doc: 'How profiles are compressed for the agent or the intake, as in dd-trace-js: on (zstd where the profiled process\'s Node has it in zlib, 22.15 and newer; gzip elsewhere), off, gzip or zstd, each with an optional level (gzip-6, zstd-3). zstd falls back to gzip where Node lacks it. Files on disk stay gzip.',
    group: 'Output and export',
  }),
  agentlessUrl: optional({
    env: 'DD_PROFILING_AGENTLESS_URL',
    type: intakeUrl(),
    defaultText: 'https://intake.profile.<DD_SITE>/api/v2/profile',
    doc: 'Intake address of agentless export. Exists for tests: plain http is allowed only for 127.0.0.1 and localhost.',
    group: 'Output and export',
    hasAddress: true,
  }),
  externalEnv: optional({
    env: 'DD_EXTERNAL_ENV',
    type: text('the value the Datadog admission controller sets'),
    doc: 'Sent as the Datadog-External-Env header, so the agent can tag profiles with the pod they come from. Set by the Datadog admission controller in Kubernetes.',
    group: 'Output and export',
  }),
  injection: optional({
    env: 'DD_INJECTION_ENABLED',
    type: text('the list single-step instrumentation sets'),
    doc: 'Set by Datadog single-step instrumentation; reported as info.profiler.ssi in every upload.',
    group: 'Tagging',
  }),
  strict: setting({
    env: 'DD_RUN_STRICT',
    flag: '--strict',
    type: bool(),
    default: false,
    doc: 'A bad value in the environment, an env file or .env stops dd-run with exit code 2 (for CI), instead of a warning and the default.',
    group: 'Launcher',
  }),
  debug: setting({
    env: 'DD_TRACE_DEBUG',
    flag: '-d, --debug',
    type: bool(),
    default: false,
    doc: 'Explain what dd-run and each preload do, on stderr.',
    group: 'Launcher',
  }),
  quiet: setting({
    env: 'DD_RUN_QUIET',
    flag: '-q, --quiet',
    type: bool(),
    default: false,
    doc: 'Print nothing but errors (no run summary).',
    group: 'Launcher',
  }),
}

export type Schema = typeof SCHEMA
export type Key = keyof Schema
export type Config = { readonly [K in Key]: Schema[K] extends Setting<infer T> ? T : never }
export const KEYS = Object.keys(SCHEMA) as Key[]

