// The launcher's view of the configuration: flags, the environment, --env-file files, ./.env and the nearest
// package.json, merged by precedence into one frozen Config. Reads files; the parsing itself is in layers.ts.
import * as path from 'node:path'
import { gitInfo } from './git-info'
import { readText } from './read-text'
import { describeOrigin, envLayer, resolveLayers, type Layer, type RawValue, type Resolved } from './layers'
import type { Config } from './schema'

export interface LaunchInputs {
  /** Values given as flags, already in raw text form. */
  readonly flags: Layer
  readonly env: NodeJS.ProcessEnv
  /** --env-file paths in the order given; a later file wins over an earlier one. */
  readonly envFiles: readonly string[]
  readonly cwd: string
}

export interface LaunchConfig extends Resolved {
  /** Every variable of the --env-file files that the environment does not already set: the child gets them. */
  readonly envFileVars: Readonly<Record<string, string>>
  /** The package.json the service name and version were inferred from, if any. */
  readonly packageJson?: string
}

export function resolveLaunch(inputs: LaunchInputs): LaunchConfig {
  const problems: string[] = []
  // A file named on the command line that cannot be read is the user's typo, as a bad flag value is.
  const missingFiles: string[] = []
  const fileVars: Record<string, string> = {}
  for (const file of inputs.envFiles) {
    const abs = path.resolve(inputs.cwd, file)
    const text = readText(abs)
    if (text === undefined) {
      const missing = `--env-file ${JSON.stringify(file)}: expected a readable file`
      problems.push(missing)
      missingFiles.push(missing)
      continue
    }
    problems.push(...envFileProblems(`--env-file ${JSON.stringify(file)}`, text))
    Object.assign(fileVars, parseEnvFile(text))
  }
  const envFileVars: Record<string, string> = {}
  for (const [k, v] of Object.entries(fileVars)) if (inputs.env[k] === undefined) envFileVars[k] = v

  const dotEnvPath = path.join(inputs.cwd, '.env')
  const dotEnvText = readText(dotEnvPath)
  if (dotEnvText !== undefined) problems.push(...envFileProblems(dotEnvPath, dotEnvText))
  const dotEnv = dotEnvText === undefined ? {} : onlyDatadog(parseEnvFile(dotEnvText))

  const pkg = nearestPackageJson(inputs.cwd)
  const layers: Layer[] = [
    inputs.flags,
    envLayer(inputs.env),
    envLayer(fileVars, 'env file', inputs.envFiles.length === 1 ? inputs.envFiles[0] : 'env files'),
    envLayer(dotEnv, '.env', dotEnvPath),
    pkg ? packageLayer(pkg) : {},
    gitLayer(inputs.cwd),
  ]
  const resolved = resolveLayers(layers, inputs.cwd)
  const config = resolved.config
  const together = combinationProblems(config, resolved.sources)
  return {
    config,
    sources: resolved.sources,
    problems: [...problems, ...resolved.problems, ...together],
    // Settings that cannot work together stop the launcher whatever their source, as a bad flag does.
    flagProblems: [...missingFiles, ...resolved.flagProblems, ...together],
    envFileVars,
    ...(pkg ? { packageJson: pkg.file } : {}),
  }
}

/** Settings that are each valid but do not work together. One line each, naming the variables. */
export function combinationProblems(config: Config, sources: Resolved['sources']): string[] {
  const problems: string[] = []
  const names = config.exporters ?? []
  if (config.profilingEnabled && names.includes('agentless') && !config.apiKey) {
    const src = sources.exporters
    const origin = src.source === 'default' ? 'DD_PROFILING_EXPORTERS' : describeOrigin(src as RawValue)
    problems.push(`${origin}=${names.join(',')}: agentless export needs DD_API_KEY, which is not set (set it, or choose the agent or file exporter)`)
  }
  return problems
}

function parseEnvFile(text: string): Record<string, string> {
  // Loaded here only: dotenv stays out of the preload and out of runs without env files.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dotenv = require('dotenv') as typeof import('dotenv')
  return dotenv.parse(text)
}

/**
 * dotenv skips a line it cannot parse without a word (`bad line`, `=x`, a key without `=`), so a typo would
 * silently drop a setting: each such line is reported, naming the file and the line number. Values are never
 * shown (an env file holds secrets). A quoted value may span lines, as dotenv allows.
 */
export function envFileProblems(where: string, text: string): string[] {
  const problems: string[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (/^\s*(#.*)?$/.test(line)) continue
    const m = /^\s*(?:export\s+)?[\w.-]+\s*[=:]\s*(["'`]?)(.*)$/.exec(line)
    if (!m) {
      problems.push(`${where} line ${i + 1}: expected KEY=value, a comment or a blank line`)
      continue
    }
    const quote = m[1] as string
    // An opening quote not closed on this line: the value goes on until the line that closes it.
    if (quote && !(m[2] as string).includes(quote)) {
      let j = i + 1
      while (j < lines.length && !(lines[j] as string).includes(quote)) j++
      if (j === lines.length) problems.push(`${where} line ${i + 1}: expected a closing ${quote} for the quoted value`)
      i = j
    }
  }
  return problems
}

function onlyDatadog(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).filter(([k]) => k.startsWith('DD_')))
}

interface PackageInfo {
  file: string
  name?: string
  version?: string
}

export function nearestPackageJson(from: string): PackageInfo | undefined {
  let dir = path.resolve(from)
  for (;;) {
    const file = path.join(dir, 'package.json')
    const text = readText(file)
    if (text !== undefined) {
      try {
        const pkg = JSON.parse(text) as { name?: unknown; version?: unknown }
        return {
          file,
          ...(typeof pkg.name === 'string' && pkg.name ? { name: pkg.name } : {}),
          ...(typeof pkg.version === 'string' && pkg.version ? { version: pkg.version } : {}),
        }
      } catch {
        return { file }
      }
    }
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The commit and origin URL of the checkout dd-run starts in (see src/config/git-info.ts). */
function gitLayer(cwd: string): Layer {
  const git = gitInfo(cwd)
  const layer: Layer = {}
  if (git.commitSha) layer.gitCommitSha = { raw: git.commitSha, source: 'git checkout', name: 'HEAD' }
  if (git.repositoryUrl) layer.gitRepositoryUrl = { raw: git.repositoryUrl, source: 'git checkout', name: 'remote.origin.url' }
  return layer
}

/**
 * A package name as a service name, normalised as dd-trace-js and the Datadog Agent do, so that a service files
 * under one name everywhere: lower case; characters other than letters, digits and _ : . / - become _; nothing
 * but a letter or digit at the start (`@Acme/Web-API` -> `acme/web-api`); at most 100 characters.
 */
export function inferredServiceName(name: string): string | undefined {
  const out = name
    .toLowerCase()
    .replace(/[^a-z0-9_:./-]/g, '_')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 100)
  return out === '' ? undefined : out
}

function packageLayer(pkg: PackageInfo): Layer {
  const layer: Layer = {}
  const service = pkg.name ? inferredServiceName(pkg.name) : undefined
  if (service) layer.service = { raw: service, source: 'package.json', name: 'name', file: pkg.file }
  if (pkg.version) layer.version = { raw: pkg.version, source: 'package.json', name: 'version', file: pkg.file }
  return layer
}
