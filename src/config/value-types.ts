// Value types of the settings: each turns the raw text of a flag or variable into a typed value, or says what it
// expected. Pure functions, shared by the launcher and the preload.

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string }

export interface ValueType<T> {
  /** What a valid value looks like, for error messages and docs. */
  readonly expected: string
  parse(raw: string): Parsed<T>
  /** The text that parse() turns back into the same value. */
  format(value: T): string
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const fail = <T>(expected: string): Parsed<T> => ({ ok: false, expected })

export interface LengthLimit {
  readonly max: number
  /** Count UTF-8 bytes rather than characters (the Datadog Agent measures service names in bytes). */
  readonly bytes?: boolean
  /** Why this limit, for the error message. */
  readonly why: string
}

export function text(expected = 'a non-empty string', limit?: LengthLimit): ValueType<string> {
  const full = limit ? `${expected} of at most ${limit.max} ${limit.bytes ? 'bytes' : 'characters'} (${limit.why})` : expected
  return {
    expected: full,
    parse(raw) {
      const s = raw.trim()
      if (s === '') return fail(full)
      if (limit) {
        const size = limit.bytes ? Buffer.byteLength(s) : [...s].length
        if (size > limit.max) return fail(`${full}, got ${size}`)
      }
      return ok(s)
    },
    format: (value) => value,
  }
}

// yes/on and no/off as ddtrace-py accepts them: an environment set up for ddtrace-run works unchanged.
const TRUE = new Set(['true', '1', 'yes', 'on'])
const FALSE = new Set(['false', '0', 'no', 'off'])
export function bool(): ValueType<boolean> {
  const expected = 'true, false, 1, 0, yes, no, on or off'
  return {
    expected,
    parse(raw) {
      const v = raw.trim().toLowerCase()
      if (TRUE.has(v)) return ok(true)
      if (FALSE.has(v)) return ok(false)
      return fail(expected)
    },
    format: (value) => String(value),
  }
}

/**
 * DD_PROFILING_ENABLED: a boolean, or `auto` as Datadog's single-step instrumentation sets it. dd-trace-js then
 * profiles a process only once it has lived 30 s; dd-run does the same per process (see docs/configuration.md).
 */
export function enabledMode(): ValueType<boolean | 'auto'> {
  const b = bool()
  const expected = `${b.expected.replace(/ or off$/, ', off')} or auto`
  return {
    expected,
    parse(raw) {
      if (raw.trim().toLowerCase() === 'auto') return ok('auto')
      const v = b.parse(raw)
      return v.ok ? v : fail(expected)
    },
    format: (value) => String(value),
  }
}

/**
 * A decimal number within [min, max]. Every numeric setting has a max, and it is a real limit (see limits.ts), named
 * in the message by `why`: a value past it would overflow a timer or an addon argument rather than just be large.
 */
export function num(opts: { min: number; max: number; why?: string; integer?: boolean; unit: string; expected?: string }): ValueType<number> {
  const kind = opts.integer ? `a whole number of ${opts.unit}` : `a number of ${opts.unit}`
  const expected = opts.expected ?? `${kind} from ${opts.min} to ${opts.max}${opts.why ? ` (${opts.why})` : ''}`
  return {
    expected,
    parse(raw) {
      const s = raw.trim()
      // Number('') is 0 and Number('0x10') is 16: accept plain decimals only.
      if (!/^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return fail(expected)
      const n = Number(s)
      if (!Number.isFinite(n) || n < opts.min || n > opts.max) return fail(expected)
      if (opts.integer && !Number.isInteger(n)) return fail(expected)
      return ok(n)
    },
    format: (value) => String(value),
  }
}

/** A comma-separated list of names from a fixed set, without repeats. Blank items are ignored. */
export function nameList<N extends string>(names: readonly N[]): ValueType<N[]> {
  const expected = `a comma-separated list of ${names.join(', ')}`
  return {
    expected,
    parse(raw) {
      const items = splitList(raw)
      const out: N[] = []
      for (const item of items) {
        const name = item.toLowerCase() as N
        if (!names.includes(name)) return fail(expected)
        if (!out.includes(name)) out.push(name)
      }
      return ok(out)
    },
    format: (value) => value.join(','),
  }
}

/** A comma-separated list of free patterns. */
export function patternList(): ValueType<string[]> {
  const expected = 'a comma-separated list of patterns (* matches any text)'
  return {
    expected,
    parse(raw) {
      const items = splitList(raw)
      return items.length === 0 ? fail(expected) : ok(items)
    },
    format: (value) => value.join(','),
  }
}

export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/**
 * Datadog tags: `key:value` pairs separated by commas (or spaces, as the Datadog libraries accept). A key without a
 * value is an error here rather than silently dropped. Later keys win.
 */
export function tagList(maxTag?: LengthLimit): ValueType<Record<string, string>> {
  const pairs = 'comma-separated key:value pairs, such as team:web,region:eu'
  const expected = maxTag ? `${pairs}, each of at most ${maxTag.max} characters (${maxTag.why})` : pairs
  return {
    expected,
    parse(raw) {
      const out: Record<string, string> = {}
      const items = raw.includes(',') ? splitList(raw) : raw.split(/\s+/).filter((s) => s !== '')
      for (const item of items) {
        const at = item.indexOf(':')
        // A malformed pair is told the format alone; the length limit only when it is the problem.
        if (at <= 0 || at === item.length - 1) return fail(pairs)
        if (maxTag && [...item].length > maxTag.max) return fail(`${expected}, got one of ${[...item].length}`)
        out[item.slice(0, at).trim()] = item.slice(at + 1).trim()
      }
      return ok(out)
    },
    format: (value) =>
      Object.entries(value)
        .map(([k, v]) => `${k}:${v}`)
        .join(','),
  }
}

function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s)
  } catch {
    return undefined
  }
}

export function agentUrl(): ValueType<string> {
  const expected = 'a URL starting with http://, https:// or unix://'
  return {
    expected,
    parse(raw) {
      const s = raw.trim()
      const url = parseUrl(s)
      if (!url) return fail(expected)
      if (url.protocol === 'unix:') return url.pathname ? ok(s) : fail(expected)
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return ok(s.replace(/\/+$/, ''))
      return fail(expected)
    },
    format: (value) => value,
  }
}

export function path(): ValueType<string> {
  return text('a path')
}

export function port(): ValueType<number> {
  return num({ min: 1, max: 65535, integer: true, unit: 'port', expected: 'a port number from 1 to 65535' })
}

/**
 * The agentless intake address. Only https, except plain http to the loopback address, which exists for tests (a
 * fake intake on 127.0.0.1): an API key must never travel in clear text over a network.
 */
export function intakeUrl(): ValueType<string> {
  const expected = 'an https:// URL (http:// only for 127.0.0.1 or localhost)'
  return {
    expected,
    parse(raw) {
      const s = raw.trim()
      const url = parseUrl(s)
      if (!url) return fail(expected)
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
      if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return ok(s)
      return fail(expected)
    },
    format: (value) => value,
  }
}

/**
 * A host name or address: a DNS name or IPv4 address (labels of letters, digits, `_` and `-`, at most 63 characters
 * each and 253 in all, as RFC 1035 allows), or an IPv6 address with or without brackets. The value is pasted into a
 * URL, where `/`, `@`, `#`, `?`, a space or a stray `:` would send profiles (and, for DD_SITE, the API key)
 * somewhere else, or nowhere: `DD_AGENT_HOST=:` or `host:8126` must be refused here, not fail at every upload.
 */
export function hostName(expected: string): ValueType<string> {
  return {
    expected,
    parse(raw) {
      const s = raw.trim()
      return isHost(s) ? ok(s) : fail(expected)
    },
    format: (value) => value,
  }
}

const LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/

function isHost(s: string): boolean {
  if (s.includes(':') || s.startsWith('[')) {
    const inner = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s
    return inner.includes(':') && /^[0-9A-Fa-f:.]+$/.test(inner) && isIPv6(inner)
  }
  const name = s.endsWith('.') ? s.slice(0, -1) : s
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => LABEL.test(label))
}

/** The URL parser validates IPv6 addresses exactly as they will be used (in http://[address]:port). */
function isIPv6(address: string): boolean {
  try {
    new URL(`http://[${address}]/`)
    return true
  } catch {
    return false
  }
}

/** A switch with a third value, `auto`: dd-run decides per process (the setting's doc says how). */
export function boolOrAuto(): ValueType<boolean | 'auto'> {
  const expected = 'auto, true, false, 1 or 0'
  return {
    expected,
    parse(raw) {
      const v = raw.trim().toLowerCase()
      if (v === 'auto') return ok('auto')
      if (TRUE.has(v)) return ok(true)
      if (FALSE.has(v)) return ok(false)
      return fail(expected)
    },
    format: (value) => String(value),
  }
}

/** DD_PROFILING_DEBUG_UPLOAD_COMPRESSION, as dd-trace-js reads it. Only the upload to the agent or the intake is
 * affected (src/export/upload-compression.ts): files on disk stay gzip, which `go tool pprof` reads. */
export interface UploadCompression {
  /** 'on' picks zstd where the profiled process's zlib has it (Node 22.15+), else gzip. */
  method: 'on' | 'off' | 'gzip' | 'zstd'
  level?: number
}

export function uploadCompression(): ValueType<UploadCompression> {
  const expected = 'on, off, gzip, gzip-1 to gzip-9, zstd or zstd-1 to zstd-22'
  return {
    expected,
    parse(raw) {
      const m = /^(on|off|gzip|zstd)(?:-(\d{1,2}))?$/.exec(raw.trim().toLowerCase())
      const method = m?.[1] as UploadCompression['method'] | undefined
      const level = m?.[2] === undefined ? undefined : Number(m[2])
      const max = method === 'gzip' ? 9 : method === 'zstd' ? 22 : 0
      if (!method || (level !== undefined && (level < 1 || level > max))) return { ok: false, expected }
      return { ok: true, value: level === undefined ? { method } : { method, level } }
    },
    format: (v) => (v.level === undefined ? v.method : `${v.method}-${v.level}`),
  }
}
