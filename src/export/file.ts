// The file exporter, the embedded default: each bundle becomes a bundle directory of the layout in layout.ts,
// holding event.json and the gzip'ed <type>.pprof attachments, written atomically (see bundle-dir.ts), files 0600,
// directories 0700. A size cap removes the oldest bundles first. The path is derived from the bundle's own tags, so
// the launcher can write a spooled bundle exactly where its process would have.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Config } from '../config/schema'
import type { Logger } from '../log'
import { writeBundleDir, writeBundleDirSync } from './bundle-dir'
import { BUNDLE_DIR, bundlePath, isTemporary, PROCESS_DIR, PROCESS_FILE, TMP_PREFIX } from './layout'
import { outputDirProblem, vetOutputDir } from './output-dir'
import type { Bundle, Exporter } from './types'

export class FileExporter implements Exporter {
  readonly name = 'file'
  readonly dir: string
  private readonly maxBytes: number
  private lastProcessDir: string | undefined
  private written = 0
  private readonly described = new Set<string>()
  private unchecked = Number.POSITIVE_INFINITY
  private pruning = false
  /** Why nothing is written: the output directory was refused and there is no private fallback. */
  private readonly refused: string | undefined

  constructor(config: Pick<Config, 'outputDir' | 'outputMaxMb'>, private readonly log?: Logger) {
    // Under the launcher a refused directory was already replaced (and said once); this check covers the preload
    // loaded without the launcher, and a directory swapped since.
    const wanted = config.outputDir // absolute: config/layers.ts resolves it
    const vetted = vetOutputDir(wanted)
    if (vetted.warning) log?.warn(vetted.warning)
    this.dir = vetted.dir ?? wanted
    this.refused = vetted.dir === undefined ? vetted.warning : undefined
    this.maxBytes = config.outputMaxMb * 1024 * 1024
  }

  /** The process directory of the last bundle written, else the output directory. */
  get target(): string {
    return this.lastProcessDir ?? this.dir
  }

  /** Rejects when the bundle cannot be written; the session reports it once and the app runs on. */
  async export(bundle: Bundle): Promise<void> {
    if (this.refused) throw new Error(this.refused)
    const [service, proc, name] = bundlePath(bundle)
    const parent = ownDirs(this.dir, service, proc)
    this.describeProcess(parent, bundle)
    const final = await writeBundleDir(parent, name, bundle)
    await this.done(parent, final, attachmentBytes(bundle), true)
  }

  /** For the exit path, where only synchronous work runs. */
  exportSync(bundle: Bundle): void {
    if (this.refused) throw new Error(this.refused)
    const [service, proc, name] = bundlePath(bundle)
    const parent = ownDirs(this.dir, service, proc)
    this.describeProcess(parent, bundle)
    // An asynchronous write cut short by the exit leaves its temporary directory: remove it now. Only this
    // process writes into its process directory (the runtime id is in the name), so every .tmp- there is ours.
    for (const t of list(parent)) if (isTemporary(t)) fs.rmSync(path.join(parent, t), { recursive: true, force: true })
    const final = path.join(parent, name)
    // Already written by the asynchronous export the exit raced with; lstat, so a planted symlink is not taken for it.
    if (!isRealDir(final)) writeBundleDirSync(parent, name, bundle)
    void this.done(parent, final, attachmentBytes(bundle), false)
  }

  /** process.json, once per process directory: tiny, written atomically, never through a planted symlink. */
  private describeProcess(parent: string, bundle: Bundle): void {
    if (!bundle.process || this.described.has(parent)) return
    this.described.add(parent)
    const file = path.join(parent, PROCESS_FILE)
    try {
      if (fs.existsSync(file) || isSymlink(file)) return
      const tmp = path.join(parent, `${TMP_PREFIX}${PROCESS_FILE}`)
      fs.writeFileSync(tmp, JSON.stringify(bundle.process) + '\n', { mode: 0o600, flag: 'wx' })
      fs.renameSync(tmp, file)
    } catch (err) {
      this.log?.debug(`file: could not write ${file}: ${(err as Error).message}`)
    }
  }

  /**
   * Bookkeeping after a write. The size cap is checked from here only on the periodic path (`check`), never on
   * the exit path: a process that only ever writes its final profile must not walk the whole output directory
   * as it exits. The launcher checks the cap when a run starts (see launch/run.ts), which covers them.
   */
  private async done(parent: string, final: string, bytes: number, check: boolean): Promise<void> {
    this.lastProcessDir = parent
    this.written++
    // Walking the directory costs a stat per file: run it once this process has written 1% of the cap since the
    // last check (the first periodic bundle always checks). The directory may go over the cap by that much per
    // writing process, never more.
    this.unchecked += bytes
    if (!check || this.pruning || this.unchecked < this.maxBytes / 100) return
    this.unchecked = 0
    this.pruning = true
    try {
      const removed = await pruneOutput(this.dir, this.maxBytes, final)
      if (removed > 0) this.log?.debug(`file: removed ${removed} old bundle(s) to stay under ${this.maxBytes / 1024 / 1024} MiB`)
    } catch (err) {
      this.log?.debug(`file: size cap check failed: ${(err as Error).message}`)
    } finally {
      this.pruning = false
    }
  }
}

/**
 * Creates <root>/<service>/<proc> (0700) and returns its path. The output directory itself is the user's choice
 * and may be a symlink of theirs to a directory of theirs (see output-dir.ts, checked again here: it may have been
 * swapped since the start); below it, nothing is followed: a symlink planted where a service or process directory
 * goes (by another user of a shared directory, say) makes the write fail rather than land wherever it points.
 */
export function ownDirs(root: string, ...parts: string[]): string {
  fs.mkdirSync(root, { recursive: true, mode: 0o700 })
  const problem = outputDirProblem(root)
  if (problem) throw new Error(`${problem}: not written`)
  let dir = root
  for (const part of parts) {
    dir = path.join(dir, part)
    try {
      fs.mkdirSync(dir, { mode: 0o700 })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      if (!isRealDir(dir)) throw new Error(`${dir} is not a directory of ours (a symlink or a file): not written through`)
    }
  }
  return dir
}

/** What a bundle adds to the output directory: its attachments (event.json is small). */
function attachmentBytes(bundle: Bundle): number {
  return bundle.attachments.reduce((n, a) => n + a.data.length, 0)
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink()
  } catch {
    return false
  }
}

function isRealDir(p: string): boolean {
  try {
    const st = fs.lstatSync(p)
    return st.isDirectory() && !st.isSymbolicLink()
  } catch {
    return false
  }
}

export function createFileExporter(config: Config, log: Logger): Exporter {
  return new FileExporter(config, log)
}

interface OnDisk {
  dir: string
  bytes: number
  mtimeMs: number
}

/**
 * Removes the oldest bundle directories until the output directory holds at most maxBytes, never `keep`.
 * Asynchronous, so the walk (a stat per file) runs on libuv's threads, not the app's. Several processes may prune
 * at once: every removal tolerates a bundle already gone. Resolves with the count removed.
 */
export async function pruneOutput(root: string, maxBytes: number, keep?: string): Promise<number> {
  // Never prune in a tree that is not the user's own (the same check as for writing).
  if (outputDirProblem(root)) return 0
  const bundles: OnDisk[] = []
  let total = 0
  // readdir's entry types come from the directory itself (lstat semantics): a symlink is never a directory here,
  // so the cap only ever removes what this layout put there.
  for (const service of await dirNames(root)) {
    for (const proc of await dirNames(path.join(root, service))) {
      if (!PROCESS_DIR.test(proc)) continue
      for (const b of await dirNames(path.join(root, service, proc))) {
        // Only directories of our own layout are ever removed, whatever else the output directory holds.
        if (isTemporary(b) || !BUNDLE_DIR.test(b)) continue
        const dir = path.join(root, service, proc, b)
        let bytes = 0
        let mtimeMs = 0
        for (const f of (await entries(dir)).map((d) => d.name)) {
          try {
            const st = await fs.promises.lstat(path.join(dir, f))
            bytes += st.size
            mtimeMs = Math.max(mtimeMs, st.mtimeMs)
          } catch {
            // Removed meanwhile by another process.
          }
        }
        total += bytes
        bundles.push({ dir, bytes, mtimeMs })
      }
    }
  }
  if (total <= maxBytes) return 0
  bundles.sort((a, b) => a.mtimeMs - b.mtimeMs || a.dir.localeCompare(b.dir))
  let removed = 0
  for (const b of bundles) {
    if (total <= maxBytes) break
    if (keep !== undefined && b.dir === keep) continue
    // The walk saw real directories, but one may have been swapped for a symlink since: look again right before
    // removing, so the cap never deletes outside the output directory.
    if (!(await stillInside(root, b.dir))) continue
    await fs.promises.rm(b.dir, { recursive: true, force: true })
    total -= b.bytes
    removed++
  }
  return removed
}

/** dir (root/service/proc/bundle, or any directory below root) is made of real directories below root, and resolves inside it. */
export async function stillInside(root: string, dir: string): Promise<boolean> {
  try {
    let at = dir
    while (at !== root && at.startsWith(root + path.sep)) {
      const st = await fs.promises.lstat(at)
      if (st.isSymbolicLink() || !st.isDirectory()) return false
      at = path.dirname(at)
    }
    const real = await fs.promises.realpath(dir)
    return real.startsWith((await fs.promises.realpath(root)) + path.sep)
  } catch {
    return false
  }
}

/** The entries of dir, typed as the directory itself says (a symlink is never a directory); none when unreadable. */
async function entries(dir: string): Promise<fs.Dirent[]> {
  try {
    return await fs.promises.readdir(dir, { withFileTypes: true })
  } catch {
    return []
  }
}

async function dirNames(dir: string): Promise<string[]> {
  return (await entries(dir)).filter((d) => d.isDirectory()).map((d) => d.name)
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}
