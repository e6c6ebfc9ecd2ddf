// Finds the source map of one script of a profile, synchronously (the profile serialiser asks while it runs):
// first the map Node itself holds for the script (loaded with --enable-source-maps or
// process.setSourceMapsEnabled(true), which tsx and Node's --experimental-transform-types turn on), then the inline
// map of the code that was compiled under that name in memory (jest, ts-node, @swc-node/register: compiled.ts),
// then the map the file on disk names in its last line (`//# sourceMappingURL=`, a `data:` URL or a file), then
// `<file>.map`.
import * as fs from 'node:fs'
import * as nodeModule from 'node:module'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { compiledCode, type Noted } from './compiled'

/** What a script's map lookup found: a map (with its size, for the cache's budget), a map it names but that is
 * not there (the backend may have it: the frame keeps its generated location, marked), or nothing. */
export type Found =
  | { kind: 'map'; map: nodeModule.SourceMap; dir: string; bytes: number; lines?: Map<string, string[]> }
  | { kind: 'missing'; problem?: string; tooLarge?: boolean }
  | { kind: 'none' }

/** Bytes read from the end of a script to find its sourceMappingURL; an inline map longer than that is read whole. */
const TAIL_BYTES = 4096
const MAPPING_URL = /^[#@]\s*sourceMappingURL=(\S+)\s*$/
const SCRIPT = /\.(js|cjs|mjs|jsx|ts|cts|mts|tsx)$/

/** maxMapBytes: a larger map is not loaded (parsed, a map costs about 11 times its size in heap and 80 ms per MB
 * of CPU): it counts as missing, so the frame keeps its generated location, marked for the backend to map. */
export function locate(file: string, maxMapBytes: number): Found {
  const held = nodeHeld(file)
  if (held) return held
  const noted = compiledCode()?.get(file)
  if (noted) return fromCompiled(noted, file, maxMapBytes)
  if (!SCRIPT.test(file) || !path.isAbsolute(file)) return { kind: 'none' }
  const ref = sourceMappingUrl(file, maxMapBytes)
  if (ref !== undefined) {
    if (ref === TOO_LARGE) return tooLarge()
    if (ref.startsWith('data:')) {
      const body = dataUrlBody(ref)
      return body.length > maxMapBytes ? tooLarge() : parse(body, path.dirname(file))
    }
    const mapFile = path.resolve(path.dirname(file), safeDecode(ref.split('?')[0] ?? ref))
    const text = readMapFile(mapFile, maxMapBytes)
    return text === undefined ? { kind: 'missing' } : text === TOO_LARGE ? tooLarge() : parse(text, path.dirname(mapFile))
  }
  const beside = readMapFile(`${file}.map`, maxMapBytes)
  return beside === undefined ? { kind: 'none' } : beside === TOO_LARGE ? tooLarge() : parse(beside, path.dirname(file))
}

/** The map Node parsed when it loaded the script, if source maps were on then (CommonJS by path, ESM by URL). */
function nodeHeld(file: string): Found | undefined {
  const find = (nodeModule as { findSourceMap?: (p: string) => nodeModule.SourceMap | undefined }).findSourceMap
  if (typeof find !== 'function') return undefined
  // Node keeps maps only while its source maps are on, and its first lookup loads its map cache (0.4 ms, paid by
  // every short process at exit): with them off now, none is asked for. A program that turned them off after
  // loading mapped code is the one case this misses; a map on disk or beside the file is still found below.
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === false) return undefined
  try {
    const map = find(file) ?? (path.isAbsolute(file) ? find(pathToFileURL(file).href) : undefined)
    // Node's own memory, not ours: it costs the cache nothing.
    if (map) return { kind: 'map', map, dir: path.dirname(file), bytes: 0 }
  } catch {
    // An odd name (node:internal, eval): no map.
  }
  return undefined
}

/** The inline map of the code compiled under that name: sources relative to the file's directory, as on disk. */
function fromCompiled(noted: Noted, file: string, maxMapBytes: number): Found {
  if (noted.url === 'too large') return tooLarge()
  if (noted.url === 'dropped') return { kind: 'missing', problem: 'inline map of code compiled in memory not kept (over the memory budget)' }
  const body = dataUrlBody(noted.url.toString('utf8'))
  return body.length > maxMapBytes ? tooLarge() : parse(body, path.dirname(file))
}

/** The sourceMappingURL on the script's last non-empty line (ECMA-426), reading only the tail unless it is inline. */
const TOO_LARGE = '\0too large'

function tooLarge(): Found {
  return { kind: 'missing', tooLarge: true }
}

function sourceMappingUrl(file: string, maxMapBytes: number): string | undefined {
  let fd: number
  try {
    fd = fs.openSync(file, 'r')
  } catch {
    return undefined
  }
  try {
    const size = fs.fstatSync(fd).size
    const len = Math.min(size, TAIL_BYTES)
    const buf = Buffer.alloc(len)
    fs.readSync(fd, buf, 0, len, size - len)
    let text = buf.toString('utf8')
    const lastLine = (t: string): string => t.trimEnd().slice(t.trimEnd().lastIndexOf('\n') + 1)
    let line = lastLine(text)
    if (len < size && line.length === text.trimEnd().length && /sourceMappingURL=data:/.test(line)) {
      if (size > maxMapBytes * 2) return TOO_LARGE
      text = fs.readFileSync(file, 'utf8')
      line = lastLine(text)
    }
    const comment = /^\s*\/\/(.*)$/.exec(line) ?? /^\s*\/\*(.*)\*\/\s*$/.exec(line)
    const m = comment ? MAPPING_URL.exec((comment[1] ?? '').trim()) : null
    return m ? m[1] : undefined
  } catch {
    return undefined
  } finally {
    fs.closeSync(fd)
  }
}

function readMapFile(file: string, maxMapBytes: number): string | undefined {
  try {
    if (fs.statSync(file).size > maxMapBytes) return TOO_LARGE
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

function dataUrlBody(ref: string): string {
  const comma = ref.indexOf(',')
  const meta = ref.slice(0, comma)
  const body = ref.slice(comma + 1)
  return meta.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : safeDecode(body)
}

function parse(text: string, dir: string): Found {
  try {
    const payload = JSON.parse(text) as nodeModule.SourceMapPayload
    return { kind: 'map', map: new nodeModule.SourceMap(payload), dir, bytes: text.length }
  } catch (err) {
    // Unreadable: as if it were missing, so the backend may still map the frame.
    return { kind: 'missing', problem: `source map unreadable (${(err as Error).message.split('\n')[0]})` }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
