// --dry-run: what dd-run would change in the command's environment, as shell and as Dockerfile lines. Run-scoped
// variables (run id, report channel) are left out: they are made fresh for each launch.
import { printable } from '../config/redact'
import { SCHEMA, type Setting } from '../config/schema'
import { writeStdout } from '../log'

/** The rows of the variables whose values are not printed as they are (secrets, addresses with credentials). */
const GUARDED = new Map(
  Object.values(SCHEMA)
    .filter((r: Setting<unknown>) => r.secret || r.hasAddress)
    .map((r) => [r.env, r as Setting<unknown>]),
)

export function changedVariables(before: NodeJS.ProcessEnv, after: NodeJS.ProcessEnv): [string, string][] {
  const out: [string, string][] = []
  for (const [k, v] of Object.entries(after)) {
    if (v === undefined || before[k] === v) continue
    const row = GUARDED.get(k)
    out.push([k, row ? printable(row, v) : v])
  }
  return out.sort(([a], [b]) => (a === 'NODE_OPTIONS' ? -1 : b === 'NODE_OPTIONS' ? 1 : a.localeCompare(b)))
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

export function dockerQuote(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`
}

export function formatDryRun(changes: [string, string][]): string {
  if (changes.length === 0) return '# dd-run would not change the environment\n'
  const lines = ['# shell', ...changes.map(([k, v]) => `export ${k}=${shellQuote(v)}`), '', '# Dockerfile']
  changes.forEach(([k, v], i) => {
    const head = i === 0 ? 'ENV ' : '    '
    const tail = i === changes.length - 1 ? '' : ' \\'
    lines.push(`${head}${k}=${dockerQuote(v)}${tail}`)
  })
  return lines.join('\n') + '\n'
}

export function printDryRun(before: NodeJS.ProcessEnv, after: NodeJS.ProcessEnv): void {
  writeStdout(formatDryRun(changedVariables(before, after)))
}
