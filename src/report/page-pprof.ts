// The pprof of what the report page shows (its "Download pprof" button): the drawn tree, after the scope, label,
// time range and view, as a gzip-able pprof Profile, so `go tool pprof`, speedscope or Datadog can open exactly
// that. Pure (no DOM): it runs in the page and in the tests.

/** A drawn node: its name, `file:line[:column]` location, value and children. */
export interface ShownNode {
  name: string
  loc: string
  value: number
  children: ShownNode[]
}

/** Protocol-buffer writer for the few field kinds a Profile needs. */
class Writer {
  private bytes: number[] = []
  varint(v: number): this {
    let x = Math.max(0, Math.round(v))
    while (x >= 128) {
      this.bytes.push((x % 128) | 128)
      x = Math.floor(x / 128)
    }
    this.bytes.push(x)
    return this
  }
  /** A varint field (skipped when 0, the default). */
  uint(field: number, v: number): this {
    if (v === 0) return this
    return this.varint(field * 8).varint(v)
  }
  /** A length-delimited field: a nested message, a string or packed varints. */
  bytesField(field: number, data: number[]): this {
    this.varint(field * 8 + 2).varint(data.length)
    for (const b of data) this.bytes.push(b)
    return this
  }
  packed(field: number, values: number[]): this {
    const w = new Writer()
    for (const v of values) w.varint(v)
    return this.bytesField(field, w.bytes)
  }
  message(field: number, build: (w: Writer) => void): this {
    const w = new Writer()
    build(w)
    return this.bytesField(field, w.bytes)
  }
  string(field: number, s: string): this {
    return this.bytesField(field, [...new TextEncoder().encode(s)])
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes)
  }
}

/**
 * One sample per node with self value (its value minus its children's), the stack from it up to (not including)
 * the root, leaf first. Frames with the same name and location are one function and one location. `skip` leaves
 * frames out of the stacks (the page's lanes: runs, processes, label values).
 */
export function encodePprof(root: ShownNode, sampleType: { type: string; unit: string }, skip: (n: ShownNode) => boolean = () => false): Uint8Array {
  const strings = ['']
  const stringIds = new Map<string, number>([['', 0]])
  const str = (s: string): number => {
    let id = stringIds.get(s)
    if (id === undefined) {
      id = strings.length
      strings.push(s)
      stringIds.set(s, id)
    }
    return id
  }
  const fnIds = new Map<string, number>()
  const functions: { id: number; name: number; file: number; line: number }[] = []
  const idOf = (n: ShownNode): number => {
    const key = n.name + '\0' + n.loc
    let id = fnIds.get(key)
    if (id === undefined) {
      id = functions.length + 1
      fnIds.set(key, id)
      const m = /^(.*?):(\d+)(?::\d+)?$/.exec(n.loc)
      functions.push({ id, name: str(n.name), file: str(m ? (m[1] as string) : n.loc), line: m ? Number(m[2]) : 0 })
    }
    return id
  }
  const samples: { stack: number[]; value: number }[] = []
  const walk = (n: ShownNode, stack: number[]): void => {
    const own = n.value - n.children.reduce((s, c) => s + c.value, 0)
    if (own > 0 && stack.length) samples.push({ stack: [...stack].reverse(), value: own })
    for (const c of n.children) walk(c, skip(c) ? stack : [...stack, idOf(c)])
  }
  walk(root, [])
  const w = new Writer()
  w.message(1, (m) => m.uint(1, str(sampleType.type)).uint(2, str(sampleType.unit)))
  for (const s of samples) w.message(2, (m) => m.packed(1, s.stack).packed(2, [s.value]))
  for (const f of functions) w.message(4, (m) => m.uint(1, f.id).message(4, (l) => l.uint(1, f.id).uint(2, f.line)))
  for (const f of functions) w.message(5, (m) => m.uint(1, f.id).uint(2, f.name).uint(3, f.name).uint(4, f.file).uint(5, f.line))
  for (const s of strings) w.string(6, s)
  return w.done()
}
