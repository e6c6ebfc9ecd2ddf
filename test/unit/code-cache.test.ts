// The preload's code cache (src/code-cache.ts): a second process uses the first one's cache; a cache V8 cannot use
// is replaced; and a cache anyone but the user could have written is never read: another owner, a group- or
// world-writable file or directory, a symlink. Where no private directory can be had, the bundle runs as usual.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { test } from 'node:test'
import { pruneCacheDir, readOwnFile, trustedCacheDir } from '../../src/code-cache'
import { PRELOAD, ROOT } from '../helpers/paths'
import { cleanEnv } from '../helpers/run'

const CODE_CACHE_JS = path.join(ROOT, 'dist', 'src', 'code-cache.js')
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dd-run-cc-'))
}

/** A small bundle that says it ran, run through runWithCodeCache in a fresh Node process with HOME=home. */
function runBundle(home: string, bundle: string, extraEnv: NodeJS.ProcessEnv = {}): { cache: string; out: string; stderr: string; status: number | null } {
  const code = `const r = require(${JSON.stringify(CODE_CACHE_JS)}).runWithCodeCache(${JSON.stringify(bundle)}, 'test', 'exit'); console.log(JSON.stringify({ cache: r.cache, value: r.exports.value }))`
  const r = spawnSync(process.execPath, ['-e', code], { env: { PATH: process.env.PATH, HOME: home, ...extraEnv }, encoding: 'utf8' })
  const line = JSON.parse(r.stdout.trim() || '{}') as { cache?: string; value?: string }
  return { cache: line.cache ?? '', out: line.value ?? '', stderr: r.stderr, status: r.status }
}

function writeBundle(dir: string): string {
  const file = path.join(dir, 'bundle.js')
  fs.writeFileSync(file, `function f(n) { return n < 2 ? n : f(n - 1) + f(n - 2) }\nmodule.exports.value = 'ran ' + f(15) + ' in ' + require('node:path').basename(__filename)\n`)
  return file
}

function cacheFiles(home: string): string[] {
  const dir = path.join(home, '.cache', 'dd-run')
  return fs.existsSync(dir) ? fs.readdirSync(dir) : []
}

test('the first process writes the cache at exit, the next one uses it; both run the bundle the same', () => {
  const home = tmp()
  const bundle = writeBundle(tmp())
  const first = runBundle(home, bundle)
  assert.equal(first.status, 0, first.stderr)
  assert.equal(first.cache, 'missing')
  assert.equal(first.out, 'ran 610 in bundle.js')
  const files = cacheFiles(home)
  assert.equal(files.length, 1)
  assert.match(files[0] as string, /^test-v\d+\.\d+\.\d+-x64-\d+-\d+-\d+-[0-9a-f]{8}\.cache$/)
  const dirMode = fs.statSync(path.join(home, '.cache', 'dd-run')).mode & 0o777
  assert.equal(dirMode, 0o700)
  assert.equal(fs.statSync(path.join(home, '.cache', 'dd-run', files[0] as string)).mode & 0o777, 0o600)
  const second = runBundle(home, bundle)
  assert.equal(second.cache, 'used')
  assert.equal(second.out, 'ran 610 in bundle.js')
  assert.equal(second.stderr, '')
})

test('a changed bundle gets a cache of its own: the old one is never run for it', () => {
  const home = tmp()
  const dir = tmp()
  const bundle = writeBundle(dir)
  runBundle(home, bundle)
  // Same length, other code: V8 itself would not tell (its check is on the length), the file name does.
  const text = fs.readFileSync(bundle, 'utf8').replace("'ran '", "'RAN '")
  fs.writeFileSync(bundle, text)
  fs.utimesSync(bundle, new Date(), new Date(Date.now() + 5000))
  const after = runBundle(home, bundle)
  assert.equal(after.cache, 'missing')
  assert.equal(after.out, 'RAN 610 in bundle.js')
})

test('a corrupt cache is rejected by V8 and replaced; the bundle runs', () => {
  const home = tmp()
  const bundle = writeBundle(tmp())
  runBundle(home, bundle)
  const file = path.join(home, '.cache', 'dd-run', cacheFiles(home)[0] as string)
  fs.writeFileSync(file, Buffer.alloc(4096, 7))
  const bad = runBundle(home, bundle)
  assert.equal(bad.cache, 'rejected')
  assert.equal(bad.out, 'ran 610 in bundle.js')
  assert.equal(bad.stderr, '')
  assert.equal(runBundle(home, bundle).cache, 'used')
})

test('a group- or world-writable cache directory, or one reached through a symlink, is not used', () => {
  const home = tmp()
  const bundle = writeBundle(tmp())
  const dir = path.join(home, '.cache', 'dd-run')
  fs.mkdirSync(dir, { recursive: true })
  fs.chmodSync(dir, 0o777)
  const open = runBundle(home, bundle)
  assert.equal(open.cache, 'off')
  assert.equal(open.out, 'ran 610 in bundle.js')
  assert.deepEqual(fs.readdirSync(dir), [])
  assert.equal(trustedCacheDir({ HOME: home }), undefined)

  const home2 = tmp()
  const elsewhere = tmp()
  fs.chmodSync(elsewhere, 0o700)
  fs.mkdirSync(path.join(home2, '.cache'))
  fs.symlinkSync(elsewhere, path.join(home2, '.cache', 'dd-run'))
  assert.equal(runBundle(home2, bundle).cache, 'off')
  assert.deepEqual(fs.readdirSync(elsewhere), [])
})

test('no HOME, a relative one, or a read-only one: no cache and not a word on stderr', () => {
  const bundle = writeBundle(tmp())
  assert.equal(trustedCacheDir({}), undefined)
  assert.equal(trustedCacheDir({ HOME: 'relative/home' }), undefined)
  assert.equal(trustedCacheDir({ XDG_CACHE_HOME: 'relative/cache' }), undefined)
  const ro = tmp()
  fs.chmodSync(ro, 0o500)
  if (!isRoot) {
    const r = runBundle(ro, bundle)
    assert.equal(r.cache, 'off')
    assert.equal(r.stderr, '')
  }
  const r = runBundle('/nonexistent/home/for/dd-run', bundle)
  assert.equal(r.out, 'ran 610 in bundle.js')
  assert.equal(r.stderr, '')
})

test('XDG_CACHE_HOME, when absolute, is where the cache goes', () => {
  const xdg = tmp()
  const home = tmp()
  const bundle = writeBundle(tmp())
  assert.equal(runBundle(home, bundle, { XDG_CACHE_HOME: xdg }).cache, 'missing')
  assert.equal(fs.readdirSync(path.join(xdg, 'dd-run')).length, 1)
  assert.deepEqual(cacheFiles(home), [])
})

test('a cache file that is a symlink, group-writable, or another user\'s is not read', { skip: isRoot ? false : 'needs root to give a file away' }, () => {
  const dir = tmp()
  const real = path.join(dir, 'real.cache')
  fs.writeFileSync(real, 'bytes', { mode: 0o600 })
  assert.equal(readOwnFile(real)?.toString(), 'bytes')
  const link = path.join(dir, 'link.cache')
  fs.symlinkSync(real, link)
  assert.equal(readOwnFile(link), undefined)
  const shared = path.join(dir, 'shared.cache')
  fs.writeFileSync(shared, 'bytes')
  fs.chmodSync(shared, 0o664)
  assert.equal(readOwnFile(shared), undefined)
  const theirs = path.join(dir, 'theirs.cache')
  fs.writeFileSync(theirs, 'bytes', { mode: 0o600 })
  fs.chownSync(theirs, 65534, 65534)
  assert.equal(readOwnFile(theirs), undefined)
  // And a cache directory owned by someone else (sudo keeping the user's HOME) is left alone.
  const home = tmp()
  fs.mkdirSync(path.join(home, '.cache', 'dd-run'), { recursive: true, mode: 0o700 })
  fs.chownSync(path.join(home, '.cache', 'dd-run'), 65534, 65534)
  assert.equal(trustedCacheDir({ HOME: home }), undefined)
})

test('the directory keeps the newest caches only', () => {
  const dir = tmp()
  for (let i = 0; i < 20; i++) {
    const f = path.join(dir, `x-${i}.cache`)
    fs.writeFileSync(f, '')
    fs.utimesSync(f, new Date(1e12 + i * 1000), new Date(1e12 + i * 1000))
  }
  fs.writeFileSync(path.join(dir, 'unrelated.txt'), '')
  pruneCacheDir(dir, 16)
  const left = fs.readdirSync(dir).sort()
  assert.equal(left.length, 17)
  assert.ok(left.includes('unrelated.txt'))
  assert.ok(!left.includes('x-0.cache') && !left.includes('x-3.cache') && left.includes('x-4.cache'))
})

test('the preload: a profiled process writes its cache, the next one runs from it and still profiles', () => {
  const home = tmp()
  const out = tmp()
  const env = cleanEnv({ HOME: home, NODE_OPTIONS: `--require ${JSON.stringify(PRELOAD)}`, DD_PROFILING_OUTPUT_DIR: out, DD_PROFILING_EXPORTERS: 'file' })
  const mtimes: number[] = []
  for (let i = 0; i < 2; i++) {
    const r = spawnSync(process.execPath, ['-e', 'console.log("app ran")'], { env, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, 'app ran\n')
    assert.equal(r.stderr, '')
    const files = cacheFiles(home)
    assert.equal(files.length, 1, files.join(' '))
    assert.match(files[0] as string, /^preload-/)
    mtimes.push(fs.statSync(path.join(home, '.cache', 'dd-run', files[0] as string)).mtimeMs)
  }
  // A cache that was used is not written again.
  assert.equal(mtimes[1], mtimes[0])
  // Two processes, two bundles on disk (the second one ran from the cache).
  const bundles = fs.readdirSync(path.join(out, 'node'))
  assert.equal(bundles.length, 2, bundles.join(' '))
})
