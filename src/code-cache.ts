// Runs one of dd-run's bundles with V8's code cache for it: the bytecode V8 compiled for the bundle in an earlier
// process, so this process neither parses the bundle nor compiles the functions that process ran. The preload pays
// this in every Node process of a profiled tree (about 8 ms of the ~35 ms it adds to a process on Node 20, see
// docs/performance.md).
//
// A code cache is code: a process that loads one runs what it says. So it is kept only where nobody but the user
// can write: $XDG_CACHE_HOME/dd-run or ~/.cache/dd-run, a directory owned by this user and writable by nobody else,
// files owned by this user and opened without following symlinks. Anything else (another user's HOME under sudo,
// a read-only or missing HOME, a planted link) means no cache: the bundle is loaded as usual, silently.
//
// Node's own module.enableCompileCache() would cache the app's modules too, which is the app's business, not dd-run's.
//
// Only Node built-ins here, and syntax any Node parses: this file is bundled into the preload's first stage. The
// built-ins are plain requires (`import x = require`): esbuild's `import * as` would copy each module's properties.
import fs = require('node:fs')
import path = require('node:path')
import vm = require('node:vm')

/** Cache files kept per directory (Node versions, V8 flags and dd-run versions in use); the oldest go first. */
const MAX_FILES = 16

/** What happened to the cache: used, rejected by V8 (rewritten at exit), missing (written at exit), or off. */
export type CacheOutcome = 'used' | 'rejected' | 'missing' | 'off'

/**
 * Runs `file` (a CommonJS bundle) as Node would require it, with a code cache when a trusted one fits. `name` tells
 * bundles apart in the cache directory. `produce` says when to write a cache after a miss: 'exit' (after everything
 * else at exit, so the functions the exit ran are in it) or 'never'.
 */
export function runWithCodeCache(file: string, name: string, produce: 'exit' | 'never'): { exports: unknown; cache: CacheOutcome } {
  let source: string
  let cacheFile: string | undefined
  let cached: Buffer | undefined
  try {
    source = fs.readFileSync(file, 'utf8')
    const st = fs.statSync(file)
    const dir = trustedCacheDir()
    if (dir !== undefined) {
      cacheFile = path.join(dir, cacheName(name, st))
      cached = readOwnFile(cacheFile)
    }
  } catch {
    return { exports: require(file), cache: 'off' }
  }
  let script: vm.Script
  try {
    // As Node's own loader: a #! line is not JavaScript inside the wrapper (kept as a comment, so lines stay put).
    const body = source.startsWith('#!') ? `//${source.slice(2)}` : source
    script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${body}\n})`, {
      filename: file,
      ...(cached ? { cachedData: cached } : {}),
    })
  } catch {
    return { exports: require(file), cache: 'off' }
  }
  const mod = { exports: {} as unknown, filename: file, id: file, loaded: false }
  const { createRequire } = require('node:module') as typeof import('node:module')
  const wrapper = script.runInThisContext() as (e: unknown, r: NodeRequire, m: unknown, f: string, d: string) => void
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file))
  mod.loaded = true
  const cache: CacheOutcome = cacheFile === undefined ? 'off' : cached === undefined ? 'missing' : script.cachedDataRejected === true ? 'rejected' : 'used'
  if (cacheFile !== undefined && produce === 'exit' && cache !== 'used') {
    const target = cacheFile
    // Last of the exit listeners (registered after the bundle's own): the cache holds what the exit compiled too.
    process.on('exit', () => writeCache(target, script))
  }
  return { exports: mod.exports, cache }
}

/** The file name: the bundle's identity (a new install or build is a new file) and what else V8 checks. */
function cacheName(name: string, st: fs.Stats): string {
  // V8 rejects a cache made under other flags; a name per flag set keeps apps with different flags from
  // overwriting each other's cache at every start.
  const flags = hash(`${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`)
  return `${name}-${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}-${st.ino}-${flags}.cache`
}

/** FNV-1a, 32 bits, in hex: a short stable name, not a security boundary (the directory's ownership is). */
function hash(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0')
}

/** The cache directory when it is this user's alone (created so if missing), else undefined. */
export function trustedCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (typeof process.getuid !== 'function') return undefined
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : env.HOME ? path.join(env.HOME, '.cache') : undefined
  if (base === undefined || !path.isAbsolute(base)) return undefined
  const dir = path.join(base, 'dd-run')
  try {
    return ownDir(dir) ? dir : undefined
  } catch {
    try {
      // Missing: made now, private. ~/.cache itself may be missing too, and is made as a user's tools make it.
      fs.mkdirSync(base, { recursive: true, mode: 0o700 })
      fs.mkdirSync(dir, { mode: 0o700 })
      return ownDir(dir) ? dir : undefined
    } catch {
      return undefined
    }
  }
}

/** A real directory (no symlink), owned by this user, that no group or other can write. Throws when missing. */
function ownDir(dir: string): boolean {
  const st = fs.lstatSync(dir)
  return st.isDirectory() && st.uid === process.getuid!() && (st.mode & 0o022) === 0
}

/** The file's bytes when it is a regular file owned by this user and not a symlink; else undefined. */
export function readOwnFile(file: string): Buffer | undefined {
  let fd: number
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)
  } catch {
    return undefined
  }
  try {
    const st = fs.fstatSync(fd)
    if (!st.isFile() || st.uid !== process.getuid!() || (st.mode & 0o022) !== 0 || st.size === 0) return undefined
    const buf = Buffer.allocUnsafe(st.size)
    let off = 0
    while (off < buf.length) {
      const n = fs.readSync(fd, buf, off, buf.length - off, off)
      if (n === 0) return undefined
      off += n
    }
    return buf
  } catch {
    return undefined
  } finally {
    fs.closeSync(fd)
  }
}

/** Writes the cache beside its final name and renames it in: a reader sees the old file or the whole new one. */
function writeCache(file: string, script: vm.Script): void {
  // One writer per process: worker threads run the same bundle, and the main thread's cache is the one that counts.
  if (!(require('node:worker_threads') as typeof import('node:worker_threads')).isMainThread) return
  const tmp = `${file}.${process.pid}.tmp`
  try {
    fs.writeFileSync(tmp, script.createCachedData(), { flag: 'wx', mode: 0o600 })
    fs.renameSync(tmp, file)
    pruneCacheDir(path.dirname(file))
  } catch {
    try {
      fs.unlinkSync(tmp)
    } catch {
      // never written
    }
  }
}

/** Keeps the newest MAX_FILES caches: each dd-run build, Node version and flag set in use leaves one. */
export function pruneCacheDir(dir: string, max = MAX_FILES): void {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cache') || f.endsWith('.tmp'))
    .map((f) => {
      try {
        return { f, t: fs.lstatSync(path.join(dir, f)).mtimeMs }
      } catch {
        return { f, t: 0 }
      }
    })
  if (files.length <= max) return
  files.sort((a, b) => b.t - a.t)
  for (const { f } of files.slice(max)) {
    try {
      fs.unlinkSync(path.join(dir, f))
    } catch {
      // another process pruned it
    }
  }
}
