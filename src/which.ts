// Finds a command the way a shell does, so that dd-run can answer 127 (not found) and 126 (not executable) with a
// useful hint before spawning anything.
import * as fs from 'node:fs'
import * as path from 'node:path'

export type Found =
  | { kind: 'found'; file: string }
  | { kind: 'not-found' }
  | { kind: 'not-executable'; file: string; reason: string }

export function which(command: string, env: NodeJS.ProcessEnv, cwd: string): Found {
  if (command.includes('/')) return check(path.resolve(cwd, command)) ?? { kind: 'not-found' }
  let blocked: Found | undefined
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const found = check(path.resolve(cwd, dir === '' ? '.' : dir, command))
    if (found?.kind === 'found') return found
    blocked ??= found
  }
  return blocked ?? { kind: 'not-found' }
}

function check(file: string): Found | undefined {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch {
    return undefined
  }
  if (stat.isDirectory()) return { kind: 'not-executable', file, reason: 'is a directory' }
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return { kind: 'found', file }
  } catch {
    return { kind: 'not-executable', file, reason: 'is not executable' }
  }
}
