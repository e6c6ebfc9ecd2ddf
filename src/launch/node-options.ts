// NODE_OPTIONS as Node itself reads it: words split on spaces, double quotes group, and inside quotes a backslash
// takes the next character literally. We append our --require in that syntax and never add it twice.

export type Tokens = { ok: true; tokens: string[] } | { ok: false; reason: string }

export function tokenize(value: string): Tokens {
  const tokens: string[] = []
  let current = ''
  let inWord = false
  let inQuotes = false
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string
    if (inQuotes && c === '\\') {
      if (i + 1 >= value.length) return { ok: false, reason: 'it ends with a backslash inside quotes' }
      current += value[++i]
    } else if (c === '"') {
      inQuotes = !inQuotes
      inWord = true
    } else if (c === ' ' && !inQuotes) {
      if (inWord) tokens.push(current)
      current = ''
      inWord = false
    } else {
      current += c
      inWord = true
    }
  }
  if (inQuotes) return { ok: false, reason: 'a double quote is not closed' }
  if (inWord) tokens.push(current)
  return { ok: true, tokens }
}

export function quote(arg: string): string {
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/** The files NODE_OPTIONS already preloads with --require / -r. */
export function requiredFiles(tokens: readonly string[]): string[] {
  const files: string[] = []
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string
    if ((t === '--require' || t === '-r') && i + 1 < tokens.length) files.push(tokens[++i] as string)
    else if (t.startsWith('--require=')) files.push(t.slice('--require='.length))
  }
  return files
}

export type Appended = { ok: true; value: string; added: boolean } | { ok: false; reason: string }

/** NODE_OPTIONS with `--require "<preload>"` at the end, keeping what was there; unchanged if already present. */
export function addPreload(current: string | undefined, preload: string): Appended {
  const existing = current ?? ''
  const parsed = tokenize(existing)
  if (!parsed.ok) return parsed
  if (requiredFiles(parsed.tokens).includes(preload)) return { ok: true, value: existing, added: false }
  const sep = existing === '' || existing.endsWith(' ') ? '' : ' '
  return { ok: true, value: `${existing}${sep}--require ${quote(preload)}`, added: true }
}

/**
 * The user's NODE_OPTIONS, kept aside by the installed `dd-run` wrapper (bin/dd-run), which starts the launcher
 * without them so that they act only in the command. Set only when NODE_OPTIONS was set (possibly empty).
 */
export const SAVED_NODE_OPTIONS = 'DD_RUN_USER_NODE_OPTIONS'

/**
 * Puts the user's NODE_OPTIONS back where the launcher (and everything it starts) reads them, and drops the private
 * variable so that it never reaches the command. Without the wrapper (`node dist/bin/dd-run.js`), nothing changes.
 */
export function restoreNodeOptions(env: NodeJS.ProcessEnv): void {
  const saved = env[SAVED_NODE_OPTIONS]
  if (saved === undefined) return
  env.NODE_OPTIONS = saved
  delete env[SAVED_NODE_OPTIONS]
}
