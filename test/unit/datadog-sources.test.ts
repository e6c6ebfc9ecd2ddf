// The small parsers behind Datadog's headers and tags: the entity id from the cgroup, the git commit and remote of
// a checkout (worktrees and packed refs included), and a remote URL without its credentials.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, test } from 'node:test'
import { inferredServiceName } from '../../src/config/resolve'
import { cgroupPathOf, entityIdOf } from '../../src/export/container-id'
import { gitInfo, originUrl, withoutCredentials } from '../../src/config/git-info'

const dirs: string[] = []
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })))
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-run-git-'))
  dirs.push(d)
  return d
}

test('entity id: ci-<container id>, else in-<inode>, else none; the cgroup path of the first line', () => {
  assert.equal(entityIdOf('abc123', 42), 'ci-abc123')
  assert.equal(entityIdOf(undefined, 42), 'in-42')
  assert.equal(entityIdOf(undefined, 0), undefined)
  assert.equal(cgroupPathOf('0::/system.slice/app.service\n'), 'system.slice/app.service')
  assert.equal(cgroupPathOf('9:name=systemd:/\n4:memory:/x\n'), '')
  assert.equal(cgroupPathOf(''), undefined)
})

test('remote URLs lose user and password; scp-like ssh addresses stay', () => {
  assert.equal(withoutCredentials('https://bot:t0ken@github.com/acme/web.git'), 'https://github.com/acme/web.git')
  assert.equal(withoutCredentials('https://github.com/acme/web.git'), 'https://github.com/acme/web.git')
  assert.equal(withoutCredentials('git@github.com:acme/web.git'), 'git@github.com:acme/web.git')
  assert.equal(withoutCredentials('ssh://git@github.com/acme/web.git'), 'ssh://github.com/acme/web.git')
  assert.equal(withoutCredentials('not a url'), undefined)
  assert.equal(originUrl('[remote "upstream"]\n\turl = https://a\n[remote "origin"]\n\turl = https://b\n'), 'https://b')
  assert.equal(originUrl('[core]\n\tbare = false\n'), undefined)
})

test('git checkout: a branch in packed-refs, a worktree whose .git is a file, a detached HEAD, no checkout at all', () => {
  const sha = 'c'.repeat(40)
  const repo = tmp()
  fs.mkdirSync(path.join(repo, '.git', 'worktrees', 'wt'), { recursive: true })
  fs.writeFileSync(path.join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n')
  fs.writeFileSync(path.join(repo, '.git', 'packed-refs'), `# pack-refs with: peeled\n${sha} refs/heads/main\n${'d'.repeat(40)} refs/heads/wt\n`)
  fs.writeFileSync(path.join(repo, '.git', 'config'), '[remote "origin"]\n\turl = https://u:p@example.com/r.git\n')
  const sub = path.join(repo, 'src', 'deep')
  fs.mkdirSync(sub, { recursive: true })
  assert.deepEqual(gitInfo(sub), { commitSha: sha, repositoryUrl: 'https://example.com/r.git' })

  const wt = tmp()
  fs.writeFileSync(path.join(wt, '.git'), `gitdir: ${path.join(repo, '.git', 'worktrees', 'wt')}\n`)
  fs.writeFileSync(path.join(repo, '.git', 'worktrees', 'wt', 'HEAD'), 'ref: refs/heads/wt\n')
  fs.writeFileSync(path.join(repo, '.git', 'worktrees', 'wt', 'commondir'), '../..\n')
  assert.deepEqual(gitInfo(wt), { commitSha: 'd'.repeat(40), repositoryUrl: 'https://example.com/r.git' })

  fs.writeFileSync(path.join(repo, '.git', 'HEAD'), `${'e'.repeat(40)}\n`)
  assert.equal(gitInfo(repo).commitSha, 'e'.repeat(40))
  // A HEAD that points outside the refs is not followed.
  fs.writeFileSync(path.join(repo, '.git', 'HEAD'), 'ref: ../../etc/passwd\n')
  assert.equal(gitInfo(repo).commitSha, undefined)
  assert.deepEqual(gitInfo(path.parse(os.tmpdir()).root), {})
})

test('package names as service names, as dd-trace-js normalises them', () => {
  assert.equal(inferredServiceName('@Acme/Web-API'), 'acme/web-api')
  assert.equal(inferredServiceName('my app!'), 'my_app_')
  assert.equal(inferredServiceName('___'), undefined)
  assert.equal(inferredServiceName('x'.repeat(150))?.length, 100)
})
