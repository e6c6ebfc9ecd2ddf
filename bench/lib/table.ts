// The readable output: one table per figure of a workload, every variant with its median, range, and the median of
// its per-round ratios (or differences) against bare node, with the target next to dd-run's rows.
import type { WorkloadResult } from './workload'

function fmt(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-'
}

function cols(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n')
}

export function renderWorkload(w: WorkloadResult): string {
  const lines: string[] = [`== ${w.title} ==`]
  for (const f of w.figures) {
    const rows: string[][] = [['variant', `median ${f.unit}`, 'min..max', f.compare === 'ratio' ? 'vs bare (x)' : `vs bare (+${f.unit})`, 'paired min..max', 'target']]
    for (const v of w.variants) {
      const s = w.summaries.find((x) => x.figure === f.key && x.variant === v)
      if (!s?.value) {
        rows.push([v, 'failed', '', '', '', ''])
        continue
      }
      const d = f.digits
      const cd = f.compare === 'ratio' ? 3 : Math.max(d, 1)
      const sign = (n: number) => (f.compare === 'diff' && n >= 0 ? '+' : '')
      const vb = s.vsBare
      rows.push([
        v,
        fmt(s.value.median, d),
        `${fmt(s.value.min, d)}..${fmt(s.value.max, d)}`,
        vb ? sign(vb.median) + fmt(vb.median, cd) : '',
        vb ? `${sign(vb.min)}${fmt(vb.min, cd)}..${sign(vb.max)}${fmt(vb.max, cd)}` : '',
        s.target ? `${s.target.text} ${s.target.met ? 'met' : 'MISSED'}` : '',
      ])
    }
    lines.push('', `${f.label}:`, cols(rows))
  }
  if (w.failures.length) lines.push('', 'FAILURES:', ...w.failures.map((f) => `  ${f}`))
  return lines.join('\n')
}
