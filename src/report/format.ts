// Text helpers shared by top and diff: values with units, locations, and columns that fit a terminal width.
import * as path from 'node:path'
import type { Frame } from './frames'
import { padEndWidth, padStartWidth, sliceWidth, textWidth } from './text-width'

export function formatValue(v: number, unit: 'nanoseconds' | 'bytes' | 'count'): string {
  if (unit === 'count') return Number.isInteger(v) ? String(v) : v.toFixed(1)
  if (unit === 'bytes') {
    const steps = ['B', 'KiB', 'MiB', 'GiB']
    let x = v
    let i = 0
    while (Math.abs(x) >= 1024 && i < steps.length - 1) {
      x /= 1024
      i++
    }
    return `${i === 0 ? Math.round(x) : x.toFixed(1)} ${steps[i]}`
  }
  const ms = v / 1e6
  if (Math.abs(ms) >= 60_000) return `${(ms / 60_000).toFixed(1)} min`
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(2)} s`
  if (Math.abs(ms) >= 1) return `${ms.toFixed(1)} ms`
  return v === 0 ? '0' : `${(v / 1000).toFixed(0)} us`
}

export const pct = (share: number): string => `${share.toFixed(1)}%`

/** `file:line` (`file:line:column` for an anonymous function), the file relative to `cwd` when it is below it;
 * '' for frames without a file. */
export function location(frame: Frame, cwd = process.cwd()): string {
  let file = frame.file
  if (!file) return ''
  if (file.startsWith('file://')) file = file.slice('file://'.length)
  if (path.isAbsolute(file)) {
    const rel = path.relative(cwd, file)
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) file = rel
  }
  if (frame.line <= 0) return file
  return frame.column ? `${file}:${frame.line}:${frame.column}` : `${file}:${frame.line}`
}

/**
 * Cuts text to `width` terminal columns (CJK and emoji take two: text-width.ts), keeping the start (names) or the
 * end (paths, where the file name is).
 */
export function fit(text: string, width: number, keep: 'start' | 'end' = 'start'): string {
  if (width <= 0) return ''
  if (textWidth(text) <= width) return text
  if (width <= 3) return sliceWidth(text, width, 'start')
  return keep === 'start' ? sliceWidth(text, width - 3, 'start') + '...' : '...' + sliceWidth(text, width - 3, 'end')
}

export interface Column {
  title: string
  align: 'left' | 'right'
  /** Flexible columns share the width left over by the fixed ones. */
  flex?: { min: number; keep: 'start' | 'end' }
}

/** Lays out rows in columns no wider than `width` columns in total, two spaces apart (widths in terminal columns). */
export function table(columns: Column[], rows: string[][], width: number): string {
  const natural = columns.map((c, i) => Math.max(textWidth(c.title), ...rows.map((r) => textWidth(r[i] ?? ''))))
  const fixed = columns.reduce((s, c, i) => s + (c.flex ? 0 : (natural[i] as number)), 0) + 2 * (columns.length - 1)
  const flexIdx = columns.map((c, i) => (c.flex ? i : -1)).filter((i) => i >= 0)
  const widths = [...natural]
  // Each flexible column first gets its minimum, then fair shares of the rest: a column that needs less than an even
  // share leaves the difference to the others.
  for (const i of flexIdx) widths[i] = Math.min(natural[i] as number, columns[i]?.flex?.min ?? 0)
  let room = Math.max(0, width - fixed - flexIdx.reduce((s, i) => s + (widths[i] as number), 0))
  let open = flexIdx.filter((i) => (widths[i] as number) < (natural[i] as number))
  while (open.length > 0 && room > 0) {
    const share = Math.max(1, Math.floor(room / open.length))
    for (const i of open) {
      const give = Math.min(share, (natural[i] as number) - (widths[i] as number), room)
      widths[i] = (widths[i] as number) + give
      room -= give
    }
    open = open.filter((i) => (widths[i] as number) < (natural[i] as number))
  }
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        const c = columns[i] as Column
        const w = widths[i] as number
        const text = c.flex ? fit(cell, w, c.flex.keep) : cell
        return c.align === 'right' ? padStartWidth(text, w) : padEndWidth(text, w)
      })
      .join('  ')
      .trimEnd()
  return [line(columns.map((c) => c.title)), ...rows.map(line)].join('\n') + '\n'
}

export function formatRange(from: number, to: number): string {
  const a = new Date(from).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')
  const b = new Date(to).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')
  return a.slice(0, 10) === b.slice(0, 10) ? `${a} to ${b.slice(11)} UTC` : `${a} to ${b} UTC`
}
