// --dry-run: what dd-run would change in the command's environment, as shell and as Dockerfile lines. Run-scoped
// variables (run id, report channel) are left out: they are made fresh for each launch.
import { SCHEMA, redact } from '../config/schema'

const SECRET_VARS = new Set(Object.values(SCHEMA).filter((r) => 'secret' in r && r.secret).map((r) => r.env))

export function changedVariables(before: NodeJS.ProcessEnv, after: NodeJS.ProcessEnv): [string, string][] {
  const out: [string, string][] = []
  for (const [k, v] of Object.entries(after)) {
    if (v === undefined || before[k] === v) continue
    out.push([k, SECRET_VARS.has(k) ? redact(v) : v])
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
  process.stdout.write(formatDryRun(changedVariables(before, after)))
}
