// The checks of `dd-run doctor`. Each says ok, warning or failure, in one line, with a fix when it is not ok. The
// checks that matter most run for real: a tiny Node process through the real launcher and preload, a real upload
// to the agent. Nothing here runs in profiled processes.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Config } from '../config/schema'
import { MAX_TIMER_MS } from '../config/limits'
import { agentAddress } from '../export/agent-address'
import { intakeUrl, uploadOnceToAgent } from '../export/agent'
import { readBundleDir } from '../export/bundle-dir'
import { outputDirProblem } from '../export/output-dir'
import { probeAgent } from '../export/probe'
import type { Bundle } from '../export/types'
import type { Check } from './check'
import { nodeVersionCheck, pathNodeVersion } from './node-version'
import { classifyPid1 } from './pid1'
import { DIST_DIR } from '../dist-dir'

/** dd-run's launcher: dist/bin/dd-run.js. */
export const DD_RUN_BIN = path.join(DIST_DIR, 'bin', 'dd-run.js')

/** The launcher's Node and the `node` on PATH, each against its minimum (src/doctor/node-version.ts). */
export function nodeVersion(env: NodeJS.ProcessEnv = process.env): Check {
  return nodeVersionCheck(process.version, pathNodeVersion(env, process.cwd()))
}

/** Loads @datadog/pprof in a child process (a native crash must not take doctor down) and profiles a moment. */
export async function nativeAddon(): Promise<Check> {
  const script = `
    const pprof = require(${JSON.stringify(require.resolve('@datadog/pprof'))})
    pprof.time.start({ intervalMicros: 10000 })
    pprof.heap.start(512 * 1024, 64)
    const t = Date.now(); while (Date.now() - t < 50) {}
    const wall = pprof.time.stop(); pprof.heap.profile(); pprof.heap.stop()
    const v = require(${JSON.stringify(path.join(path.dirname(require.resolve('@datadog/pprof/package.json')), 'package.json'))}).version
    process.stdout.write(JSON.stringify({ version: v, samples: wall.sample.length }))`
  const r = await runNode(['-e', script], { ...process.env, NODE_OPTIONS: '' }, 30_000)
  const where = `${process.platform}-${process.arch}${libc()}`
  if (r.code === 0) {
    try {
      const out = JSON.parse(r.stdout) as { version: string }
      return { name: 'native addon', status: 'ok', detail: `@datadog/pprof ${out.version} loads and profiles on ${where}` }
    } catch {
      // fall through to the failure
    }
  }
  return {
    name: 'native addon',
    status: 'failure',
    detail: `@datadog/pprof does not load on ${where}: ${firstError(r.stderr) || `exit ${r.code ?? r.signal}`}`,
    fix: 'reinstall dd-run on this machine (npm rebuild @datadog/pprof); prebuilt addons exist for linux (glibc and musl), macOS and Windows on x64 and arm64',
  }
}

export interface InjectionResult {
  check: Check
  /** A bundle the process wrote, for the agent check to upload. */
  bundle?: Bundle
}

/** Runs a tiny Node program through the real launcher, with files as the exporter, and looks for its profile. */
export async function injection(env: NodeJS.ProcessEnv, profilingEnabled: boolean): Promise<InjectionResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-run-doctor-'))
  try {
    const script = path.join(dir, 'tiny.js')
    // A little work on a timer, so the process lives past one upload period and exits on its own.
    fs.writeFileSync(script, 'let n = 0; const t = setInterval(() => { for (let i = 0; i < 1e5; i++) n += i; }, 5); setTimeout(() => clearInterval(t), 1500)\n')
    const out = path.join(dir, 'profiles')
    const childEnv: NodeJS.ProcessEnv = { ...env, DD_SERVICE: 'dd-run-doctor', DD_RUN_QUIET: 'false' }
    const r = await runNode([DD_RUN_BIN, '--exporters', 'file', '-o', out, '--upload-period', '1', 'node', script], childEnv, 60_000)
    const bundles = findBundles(out)
    if (r.code === 0 && bundles.length > 0) {
      const bundle = readBundleDir(bundles[bundles.length - 1] as string)
      const names = bundle.attachments.map((a) => a.name).join(', ')
      return {
        check: { name: 'injection', status: 'ok', detail: `a Node process started through dd-run loaded the preload and wrote ${bundles.length} profile bundle(s) (${names})` },
        bundle,
      }
    }
    const why = r.code !== 0 ? `exited with ${r.code ?? r.signal}` : 'wrote no profile'
    const said = profilingEnabled ? lastDdRunLine(r.stderr) : 'profiling is disabled (DD_PROFILING_ENABLED is false)'
    return {
      check: {
        name: 'injection',
        status: 'failure',
        detail: `a Node process started through dd-run ${why}${said ? `: ${said}` : ''}`,
        fix: 'run `dd-run --debug node -e 0` to see why the preload stays off (DD_PROFILING_ENABLED, NODE_OPTIONS, the native addon)',
      },
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Is there an agent at the configured address, and does it accept an upload? */
export async function agent(config: Config, bundle: Bundle | undefined): Promise<Check> {
  const address = agentAddress(config)
  const wanted = config.exporters === undefined ? address.configured : config.exporters.includes('agent')
  const where = `${address.shown} (${address.reason})`
  if (!(await probeAgent(address.url, 2000))) {
    if (!wanted) {
      return {
        name: 'agent',
        status: 'warning',
        detail: `nothing answers at ${where}: profiles go to files`,
        fix: 'to send profiles to Datadog, run the Datadog Agent there, or set DD_AGENT_HOST / DD_TRACE_AGENT_URL to where it runs',
      }
    }
    return { name: 'agent', status: 'failure', detail: `nothing answers at ${where}`, fix: 'start the Datadog Agent (with APM enabled), or point DD_TRACE_AGENT_URL / DD_AGENT_HOST / DD_TRACE_AGENT_PORT at it' }
  }
  if (!bundle) return { name: 'agent', status: 'warning', detail: `an agent answers at ${where}, but no profile could be made to test an upload`, fix: 'fix the injection check first' }
  // The request every profiled process will send (same address, endpoint, headers, codec and body), once.
  const timeoutMs = Math.max(3000, config.uploadTimeout)
  // The upload's socket never holds a process open; doctor must wait for it.
  const hold = setTimeout(() => {}, Math.min(MAX_TIMER_MS, timeoutMs + 1000))
  const outcome = await uploadOnceToAgent(config, bundle, timeoutMs)
  clearTimeout(hold)
  if (outcome.kind === 'sent') return { name: 'agent', status: 'ok', detail: `the agent at ${where} accepted a profile upload (service dd-run-doctor)` }
  const forwarder = /HTTP 5\d\d/.test(outcome.reason) ? ' (an agent answers 500 when its profile forwarder is off)' : ''
  return {
    name: 'agent',
    status: 'failure',
    detail: `the agent at ${where} answers but did not accept an upload: ${outcome.reason}${forwarder}`,
    fix: 'check that the agent has APM on (DD_APM_ENABLED=true) and a valid DD_API_KEY, and look at its logs',
  }
}

export function agentless(config: Config): Check | undefined {
  if (!config.exporters?.includes('agentless')) return undefined
  if (!config.apiKey) return { name: 'agentless', status: 'failure', detail: 'agentless export is on but DD_API_KEY is not set', fix: 'set DD_API_KEY, or use the agent or file exporter' }
  return { name: 'agentless', status: 'ok', detail: `DD_API_KEY is set (not shown); profiles go to ${intakeUrl(config)}` }
}

export function outputDir(config: Config): Check {
  const dir = config.outputDir
  const problem = outputDirProblem(dir)
  if (problem) {
    return {
      name: 'output directory',
      status: 'failure',
      detail: `${problem}: dd-run refuses it and writes profiles to ~/.dd-run/profiles instead`,
      fix: 'choose a directory of your own with -o / DD_PROFILING_OUTPUT_DIR, or remove what another user planted there',
    }
  }
  try {
    // Leave no trace: what doctor creates, it removes.
    const created = fs.mkdirSync(dir, { recursive: true })
    const probe = path.join(dir, `.dd-run-doctor-${process.pid}`)
    fs.writeFileSync(probe, 'ok')
    fs.rmSync(probe)
    if (created) fs.rmSync(created, { recursive: true, force: true })
    return { name: 'output directory', status: 'ok', detail: `${dir} is writable${created ? ' (it will be created)' : ''}` }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return {
      name: 'output directory',
      status: config.exporters && !config.exporters.includes('file') ? 'warning' : 'failure',
      detail: `${dir} is not writable (${e.code ?? e.message})`,
      fix: 'choose a writable directory with -o / DD_PROFILING_OUTPUT_DIR (profiles that cannot be sent are written there too)',
    }
  }
}

export function init(): Check {
  const read = (f: string) => {
    try {
      return fs.readFileSync(f, 'utf8')
    } catch {
      return undefined
    }
  }
  const c = classifyPid1({ selfPid: process.pid, comm: read('/proc/1/comm')?.trim(), cmdline: read('/proc/1/cmdline')?.split('\0').join(' ').trim() })
  return { name: 'init', ...c }
}

interface Ran {
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
}

function runNode(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, signal: e?.signal ?? null, stdout, stderr })
    })
  })
}

function findBundles(root: string): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    if (entries.some((e) => e.isFile() && e.name.endsWith('.pprof'))) out.push(dir)
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) walk(path.join(dir, e.name))
  }
  walk(root)
  return out.sort()
}

function firstError(stderr: string): string {
  return stderr.split('\n').find((l) => /Error|error:/.test(l))?.trim() ?? stderr.trim().split('\n')[0] ?? ''
}

function lastDdRunLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith('dd-run'))
  return (lines.find((l) => /off|dormant|NOT profiled|error|cannot|missing/.test(l)) ?? lines[lines.length - 1] ?? '').replace(/^dd-run(\[\d+\])?: /, '').trim()
}

function libc(): string {
  if (process.platform !== 'linux') return ''
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
  return report?.header?.glibcVersionRuntime ? ` (glibc ${report.header.glibcVersionRuntime})` : ' (musl)'
}
