// Maps frames of compiled code (TypeScript, bundles) back to their original source at report time, from the
// source map the compiled file names (a sourceMappingURL comment, inline or a file) or a `<file>.map` beside it.
// Profiles keep the generated locations; only what top/report/diff show is mapped.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { SourceMapConsumer, type BasicSourceMapConsumer, type IndexedSourceMapConsumer } from 'source-map'

export interface Location {
  file: string
  line: number
  column: number
}

type Consumer = BasicSourceMapConsumer | IndexedSourceMapConsumer

const COMPILED = /\.(js|cjs|mjs)$/
const MAPPING_URL = /[#@]\s*sourceMappingURL=(\S+)\s*$/

export class SourceMaps {
  private readonly consumers = new Map<string, Consumer | null>()
  /** Files whose map could not be read, with the reason, for --debug style reporting. */
  readonly problems: string[] = []

  /** Loads the maps of these compiled files (once per file); files without a map are remembered as such. */
  async prepare(files: Iterable<string>): Promise<void> {
    for (const file of files) {
      if (this.consumers.has(file)) continue
      this.consumers.set(file, null)
      const local = toPath(file)
      if (!local || !COMPILED.test(local)) continue
      try {
        const found = findMap(local)
        if (found) this.consumers.set(file, await new SourceMapConsumer(found.raw, found.url))
      } catch (err) {
        this.problems.push(`${local}: source map unreadable (${(err as Error).message})`)
      }
    }
  }

  /** The original location of a generated one (1-based line), or undefined when there is no mapping. */
  map(file: string, line: number, column: number): Location | undefined {
    const consumer = this.consumers.get(file)
    if (!consumer || line <= 0) return undefined
    // Profiles give the line a function starts on, often without a column: take the first mapping on that line.
    const bias = column > 0 ? SourceMapConsumer.GREATEST_LOWER_BOUND : SourceMapConsumer.LEAST_UPPER_BOUND
    const pos = consumer.originalPositionFor({ line, column: Math.max(0, column - 1), bias })
    if (!pos.source || pos.line === null) return undefined
    const source = pos.source.startsWith('file:') ? fileURLToPath(pos.source) : pos.source
    return { file: source, line: pos.line, column: (pos.column ?? 0) + 1 }
  }

  destroy(): void {
    for (const c of this.consumers.values()) c?.destroy()
    this.consumers.clear()
  }
}

function toPath(file: string): string | undefined {
  if (file.startsWith('file://')) return fileURLToPath(file)
  return path.isAbsolute(file) ? file : undefined
}

function findMap(file: string): { raw: string; url: string } | undefined {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  const lastLines = text.slice(text.lastIndexOf('\n', text.length - 2) + 1)
  const m = MAPPING_URL.exec(lastLines)
  if (m) {
    const ref = m[1] as string
    if (ref.startsWith('data:')) {
      const comma = ref.indexOf(',')
      const meta = ref.slice(0, comma)
      const body = ref.slice(comma + 1)
      const raw = meta.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body)
      return { raw, url: pathToFileURL(file).href }
    }
    const mapFile = path.resolve(path.dirname(file), decodeURIComponent(ref))
    if (fs.existsSync(mapFile)) return { raw: fs.readFileSync(mapFile, 'utf8'), url: pathToFileURL(mapFile).href }
  }
  const beside = file + '.map'
  if (fs.existsSync(beside)) return { raw: fs.readFileSync(beside, 'utf8'), url: pathToFileURL(beside).href }
  return undefined
}
