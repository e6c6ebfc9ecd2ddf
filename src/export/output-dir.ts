// Is the output directory ours to write into and to prune? In the spirit of ssh's StrictModes: a job started as
// root in a shared sticky directory (/tmp) must not write its profiles, nor let the size cap delete, in a tree that
// another user planted there as `dd-profiles` (a symlink to their tree, or their own directory). Refused:
//   - a symlink owned by someone else (neither the current user nor root),
//   - a directory (after resolving links) owned by someone else.
// A user's own symlink to their own directory is fine. Then profiles go to a private fallback, or nowhere.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/** What is wrong with `dir` as an output directory, or undefined when it is fine (or does not exist yet). */
export function outputDirProblem(dir: string, uid: number | undefined = process.getuid?.()): string | undefined {
  if (uid === undefined) return undefined // No owners to compare (Windows).
  const trusted = (owner: number) => owner === uid || owner === 0
  let link: fs.Stats
  try {
    link = fs.lstatSync(dir)
  } catch {
    return undefined // Missing: created by us, so ours. Other errors surface on the write itself.
  }
  if (link.isSymbolicLink() && !trusted(link.uid)) return `${dir} is a symlink owned by uid ${link.uid}, not by you (uid ${uid})`
  let target: fs.Stats
  try {
    target = link.isSymbolicLink() ? fs.statSync(dir) : link
  } catch {
    return link.isSymbolicLink() ? `${dir} is a symlink to nothing` : undefined
  }
  if (target.isDirectory() && !trusted(target.uid)) {
    return `${dir}${link.isSymbolicLink() ? ` (a symlink to ${safeRealpath(dir)})` : ''} is a directory owned by uid ${target.uid}, not by you (uid ${uid})`
  }
  return undefined
}

/**
 * A directory of the current user's own for profiles when the configured one is refused: ~/.dd-run/profiles,
 * mode 0700. Undefined when there is no such place (no home directory, or it fails the same check).
 */
export function privateFallback(): string | undefined {
  let home: string
  try {
    home = os.homedir()
  } catch {
    return undefined
  }
  if (!home || !path.isAbsolute(home)) return undefined
  const dir = path.join(home, '.dd-run', 'profiles')
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch {
    return undefined
  }
  if (outputDirProblem(path.dirname(dir)) || outputDirProblem(dir)) return undefined
  return dir
}

export interface Vetted {
  /** Where profiles go; undefined: nowhere. */
  dir: string | undefined
  /** One line for the user when the configured directory was refused. */
  warning?: string
}

/** The configured output directory when it passes the check; else the private fallback, with a warning saying so. */
export function vetOutputDir(dir: string): Vetted {
  const problem = outputDirProblem(dir)
  if (!problem) return { dir }
  const fallback = privateFallback()
  return {
    dir: fallback,
    warning: `output directory refused: ${problem}; profiles go to ${fallback ?? 'no file (no private directory of yours to fall back to)'} instead`,
  }
}

function safeRealpath(p: string): string {
  try {
    return fs.realpathSync(p)
  } catch {
    return '?'
  }
}
