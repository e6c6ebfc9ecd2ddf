// The commit and repository URL of the app's git checkout, for Datadog Source Code Integration (the tags
// git.commit.sha and git.repository_url), found once per run by the launcher when DD_GIT_COMMIT_SHA and
// DD_GIT_REPOSITORY_URL are unset. dd-trace-js reads only the variables; a launcher starts in the checkout, so it
// can do better. Read from the files of .git (no git executable needed, no process spawned): HEAD, the ref it
// names (loose or packed), and the "origin" remote of the config. Any failure means "not found", silently.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { readText } from './read-text'

export interface GitInfo {
  commitSha?: string
  repositoryUrl?: string
}

export function gitInfo(from: string): GitInfo {
  const dirs = gitDirs(from)
  if (!dirs) return {}
  const out: GitInfo = {}
  const sha = headCommit(dirs.gitDir, dirs.commonDir)
  if (sha) out.commitSha = sha
  const url = originUrl(readText(path.join(dirs.commonDir, 'config')) ?? '')
  if (url) out.repositoryUrl = withoutCredentials(url)
  return out
}

/** The repository URL without user or password: `https://user:token@host/x.git` -> `https://host/x.git`. */
export function withoutCredentials(url: string): string | undefined {
  // scp-like `git@host:org/repo.git`: the user is the ssh login, not a secret.
  if (/^[\w.-]+@[^/:]+:/.test(url)) return url
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return undefined
  }
}

/** The url of [remote "origin"] in a git config text. */
export function originUrl(config: string): string | undefined {
  let inOrigin = false
  for (const raw of config.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('[')) {
      inOrigin = /^\[remote\s+"origin"\]$/.test(line)
      continue
    }
    const m = inOrigin ? /^url\s*=\s*(.+)$/.exec(line) : null
    if (m) return (m[1] as string).trim()
  }
  return undefined
}

function gitDirs(from: string): { gitDir: string; commonDir: string } | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const dotGit = path.join(dir, '.git')
    let gitDir: string | undefined
    try {
      if (fs.statSync(dotGit).isDirectory()) gitDir = dotGit
      else {
        // A worktree or submodule: `.git` is a file that says where the git directory is.
        const m = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'))
        if (m) gitDir = path.resolve(dir, (m[1] as string).trim())
      }
    } catch {
      gitDir = undefined
    }
    if (gitDir) {
      const common = readText(path.join(gitDir, 'commondir'))?.trim()
      return { gitDir, commonDir: common ? path.resolve(gitDir, common) : gitDir }
    }
    if (path.dirname(dir) === dir) return undefined
  }
}

function headCommit(gitDir: string, commonDir: string): string | undefined {
  const head = readText(path.join(gitDir, 'HEAD'))?.trim()
  if (!head) return undefined
  if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(head)) return head // detached
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1]
  if (!ref || ref.includes('..')) return undefined
  for (const dir of [gitDir, commonDir]) {
    const loose = readText(path.join(dir, ref))?.trim()
    if (loose && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(loose)) return loose
  }
  const packed = readText(path.join(commonDir, 'packed-refs')) ?? ''
  for (const line of packed.split('\n')) {
    const [sha, name] = line.trim().split(' ')
    if (name === ref && sha && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) return sha
  }
  return undefined
}
