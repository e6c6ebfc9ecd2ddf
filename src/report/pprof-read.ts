// A lean reader of pprof's profile.proto, for reports over hundreds of files: it decodes only the fields a report
// needs (sample types, samples, locations, functions, strings) straight into numbers and arrays. pprof-format's
// general decoder allocates a buffer view per number and was most of the time of `dd-run report` on an hour of
// profiles (see docs/performance.md); the tests check this reader against it.

export interface PprofLine {
  functionId: number
  line: number
  column: number
}
export interface PprofLocation {
  id: number
  line: PprofLine[]
}
export interface PprofFunction {
  id: number
  name: number
  filename: number
  startLine: number
}
export interface PprofSample {
  /** Leaf first. */
  locationId: number[]
  value: number[]
  /** String labels as [key, value] string-table indexes, when the sample has any (withLabels, events, exceptions). */
  label?: [number, number][]
  /** Numeric labels as [key string-table index, value], when the sample has any (events: `end_timestamp_ns`). */
  numLabel?: [number, number][]
}
export interface PprofProfile {
  sampleType: { type: number; unit: number }[]
  sample: PprofSample[]
  location: PprofLocation[]
  function: PprofFunction[]
  stringTable: { strings: string[] }
}

const decoder = new TextDecoder()

class Reader {
  pos: number
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start
  }

  /** A varint as a JS number (exact up to 2^53; int64 values here are never negative). */
  varint(): number {
    const buf = this.buf
    let b = buf[this.pos++] as number
    if (b < 0x80) return b
    let result = b & 0x7f
    let mul = 0x80
    do {
      if (this.pos >= this.end) throw new Error('truncated varint')
      b = buf[this.pos++] as number
      result += (b & 0x7f) * mul
      mul *= 0x80
    } while (b >= 0x80)
    return result
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint()
        return
      case 1:
        this.pos += 8
        return
      case 2: {
        // Read the length first: `this.pos += this.varint()` would add it to the position before the varint.
        const len = this.varint()
        this.pos += len
        return
      }
      case 5:
        this.pos += 4
        return
      default:
        throw new Error(`unsupported wire type ${wire}`)
    }
  }

  /** A length-delimited field: returns its end and leaves pos at its start. */
  sub(): number {
    const len = this.varint()
    const end = this.pos + len
    if (end > this.end) throw new Error('field runs past the end of its message')
    return end
  }

  /** Repeated numbers, packed (wire 2) or one at a time (wire 0). */
  numbers(wire: number, into: number[]): void {
    if (wire === 0) {
      into.push(this.varint())
      return
    }
    const end = this.sub()
    while (this.pos < end) into.push(this.varint())
  }
}

export function readProfileProto(buf: Uint8Array): PprofProfile {
  const r = new Reader(buf, 0, buf.length)
  const out: PprofProfile = { sampleType: [], sample: [], location: [], function: [], stringTable: { strings: [] } }
  while (r.pos < r.end) {
    const key = r.varint()
    const field = Math.floor(key / 8)
    const wire = key & 7
    if (wire !== 2 || field < 1 || field > 6 || field === 3) {
      r.skip(wire)
      continue
    }
    const end = r.sub()
    switch (field) {
      case 1:
        out.sampleType.push(valueType(r, end))
        break
      case 2:
        out.sample.push(sample(r, end))
        break
      case 4:
        out.location.push(location(r, end))
        break
      case 5:
        out.function.push(fn(r, end))
        break
      case 6:
        out.stringTable.strings.push(decoder.decode(buf.subarray(r.pos, end)))
        break
    }
    r.pos = end
  }
  if (r.pos > r.end) throw new Error('a field runs past the end of the file')
  return out
}

function valueType(r: Reader, end: number): { type: number; unit: number } {
  const v = { type: 0, unit: 0 }
  while (r.pos < end) {
    const key = r.varint()
    const wire = key & 7
    if (key === 8) v.type = r.varint()
    else if (key === 16) v.unit = r.varint()
    else r.skip(wire)
  }
  return v
}

function sample(r: Reader, end: number): PprofSample {
  const s: PprofSample = { locationId: [], value: [] }
  while (r.pos < end) {
    const key = r.varint()
    const field = key >>> 3
    const wire = key & 7
    if (field === 1) r.numbers(wire, s.locationId)
    else if (field === 2) r.numbers(wire, s.value)
    else if (field === 3 && wire === 2) {
      const labelEnd = r.sub()
      let k = 0
      let v = 0
      let num = 0
      while (r.pos < labelEnd) {
        const lk = r.varint()
        if (lk === 8) k = r.varint()
        else if (lk === 16) v = r.varint()
        else if (lk === 24) num = r.varint()
        else r.skip(lk & 7)
      }
      if (v !== 0) (s.label ??= []).push([k, v])
      else if (num !== 0) (s.numLabel ??= []).push([k, num])
    } else r.skip(wire)
  }
  return s
}

/** The same profile with only the samples that carry label key=value. */
export function withLabel(profile: PprofProfile, key: string, value: string): PprofProfile {
  const k = profile.stringTable.strings.indexOf(key)
  const v = profile.stringTable.strings.indexOf(value)
  const sample = k < 0 || v < 0 ? [] : profile.sample.filter((s) => s.label?.some(([a, b]) => a === k && b === v))
  return { ...profile, sample }
}

function location(r: Reader, end: number): PprofLocation {
  const loc: PprofLocation = { id: 0, line: [] }
  while (r.pos < end) {
    const key = r.varint()
    const field = key >>> 3
    const wire = key & 7
    if (field === 1 && wire === 0) loc.id = r.varint()
    else if (field === 4 && wire === 2) {
      const lineEnd = r.sub()
      const line: PprofLine = { functionId: 0, line: 0, column: 0 }
      while (r.pos < lineEnd) {
        const k = r.varint()
        if (k === 8) line.functionId = r.varint()
        else if (k === 16) line.line = r.varint()
        else if (k === 24) line.column = r.varint()
        else r.skip(k & 7)
      }
      loc.line.push(line)
    } else r.skip(wire)
  }
  return loc
}

function fn(r: Reader, end: number): PprofFunction {
  const f: PprofFunction = { id: 0, name: 0, filename: 0, startLine: 0 }
  while (r.pos < end) {
    const key = r.varint()
    if (key === 8) f.id = r.varint()
    else if (key === 16) f.name = r.varint()
    else if (key === 32) f.filename = r.varint()
    else if (key === 40) f.startLine = r.varint()
    else r.skip(key & 7)
  }
  return f
}
