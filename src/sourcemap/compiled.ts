// Maps that exist only in memory, inside code that a tool compiled from a string instead of the file on disk:
// jest runs what babel-jest or ts-jest made of a test file through vm.compileFunction (jest 30) or vm.Script
// (jest 29 and older), and require hooks (ts-node, @swc-node/register, @babel/register, anything built on pirates)
// hand Module.prototype._compile their output. The frames of that code carry the original file's name, but that
// file on disk has no map: the map is the inline `//# sourceMappingURL=data:` comment at the end of the compiled
// code, which Node does not keep (unless its own source maps are on: then module.findSourceMap() has it).
//
// compile-hooks.ts gives each compiled script's file name and comment to note(); this keeps a copy of the data: URL
// only (bytes, outside the JavaScript heap), nothing decoded or parsed: locate.ts parses it the first time a profile
// names the file. Bounded: at most `maxBytes` of copies, the oldest noted dropped first (a dropped file is
// remembered, so its frames are marked as having a missing map); at most `maxFiles` files; a URL longer than
// `maxUrlBytes` is not copied (its map would not be loaded anyway: locate.ts's maxMapBytes).

/** What is known of the last compilation of a file: its inline map's URL, or why it is not kept. */
export type Held = Buffer | 'dropped' | 'too large'

export interface Noted {
  url: Held
  /** Changes whenever the file is noted with another map: a map parsed from an older one is stale. */
  seq: number
}

export interface CompiledLimits {
  maxBytes: number
  maxFiles: number
  maxUrlBytes: number
}

/** In a profiled process: about 3 MiB of maps (base64 is 4/3 of the text). */
export const COMPILED_LIMITS: CompiledLimits = { maxBytes: 4 * 1024 * 1024, maxFiles: 10_000, maxUrlBytes: Math.ceil((2 * 1024 * 1024 * 4) / 3) + 200 }

const MAPPING_COMMENT = /^\s*\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/

/** The `sourceMappingURL` of the code's last non-blank line, read from the end (the rest of the code is not scanned). */
export function trailingMappingUrl(code: string): string | undefined {
  let end = code.length
  while (end > 0 && code.charCodeAt(end - 1) <= 32) end--
  const start = code.lastIndexOf('\n', end - 1) + 1
  // `//# sourceMappingURL=` is 21 characters: a shorter line cannot carry one.
  if (end - start < 22 || code.indexOf('sourceMappingURL=', start) < 0) return undefined
  return MAPPING_COMMENT.exec(code.slice(start, end))?.[1]
}

export class CompiledCode {
  private readonly files = new Map<string, Noted>()
  private bytes = 0
  private seq = 0

  constructor(private readonly limits: CompiledLimits = COMPILED_LIMITS) {}

  /** A script was compiled under `filename` from code whose mapping URL is `url` (undefined: none). */
  note(filename: unknown, url: string | undefined): void {
    if (typeof filename !== 'string' || filename === '') return
    const old = this.files.get(filename)
    if (url === undefined || !url.startsWith('data:')) {
      // No inline map this time (a file map is found on disk by locate.ts): an older note no longer applies.
      if (old) this.forget(filename, old)
      return
    }
    if (url.length > this.limits.maxUrlBytes) {
      if (old?.url !== 'too large') this.set(filename, 'too large', old)
      return
    }
    const bytes = Buffer.from(url, 'utf8')
    if (old && Buffer.isBuffer(old.url) && old.url.equals(bytes)) {
      // The same map again (jest compiles a module anew for every test file): most recent, nothing else changes.
      this.files.delete(filename)
      this.files.set(filename, old)
      return
    }
    this.set(filename, bytes, old)
  }

  get(filename: string): Noted | undefined {
    return this.files.get(filename)
  }

  /** The map's generation for `filename` (0: nothing noted): what a cached lookup compares. */
  seqOf(filename: string): number {
    return this.files.get(filename)?.seq ?? 0
  }

  get heldBytes(): number {
    return this.bytes
  }

  get size(): number {
    return this.files.size
  }

  private set(filename: string, url: Held, old: Noted | undefined): void {
    if (old) this.forget(filename, old)
    this.files.set(filename, { url, seq: ++this.seq })
    if (Buffer.isBuffer(url)) this.bytes += url.length
    this.evict()
  }

  private forget(filename: string, old: Noted): void {
    if (Buffer.isBuffer(old.url)) this.bytes -= old.url.length
    this.files.delete(filename)
  }

  private evict(): void {
    if (this.bytes <= this.limits.maxBytes && this.files.size <= this.limits.maxFiles) return
    for (const [file, noted] of this.files) {
      if (this.files.size > this.limits.maxFiles) {
        this.forget(file, noted)
        continue
      }
      if (this.bytes <= this.limits.maxBytes) return
      if (Buffer.isBuffer(noted.url)) {
        this.bytes -= noted.url.length
        noted.url = 'dropped'
        noted.seq = ++this.seq
      }
    }
  }
}

let current: CompiledCode | undefined

/** This thread's notes, once compile-hooks.ts has started taking them (never in top/report/diff). */
export function compiledCode(): CompiledCode | undefined {
  return current
}

export function setCompiledCode(c: CompiledCode | undefined): void {
  current = c
}
