// How many terminal columns text takes: CJK and emoji take two, combining marks and joiners none. top and diff
// line their columns up with it, so a table with `処理する` or `🚀launch` in a name stays aligned.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/** East Asian Wide and Fullwidth ranges (Unicode's EastAsianWidth.txt, the blocks that matter for names). */
const WIDE: [number, number][] = [
  [0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf],
  [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x20000, 0x3fffd],
]
const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F/u
const ZERO = /^(?:\p{Mark}|\p{Default_Ignorable_Code_Point}|\p{Control})+$/u

/** Columns of one grapheme cluster. */
function clusterWidth(cluster: string): number {
  if (ZERO.test(cluster)) return 0
  if (EMOJI.test(cluster)) return 2
  const cp = cluster.codePointAt(0) as number
  for (const [a, b] of WIDE) if (cp >= a && cp <= b) return 2
  return 1
}

const ascii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s)

export function textWidth(s: string): number {
  if (ascii(s)) return s.length
  let w = 0
  for (const { segment } of segmenter.segment(s)) w += clusterWidth(segment)
  return w
}

/** The longest start (or end) of `s` no wider than `width` columns; a cluster is never split. */
export function sliceWidth(s: string, width: number, from: 'start' | 'end'): string {
  if (ascii(s)) return from === 'start' ? s.slice(0, width) : s.slice(Math.max(0, s.length - width))
  const clusters = [...segmenter.segment(s)].map((x) => x.segment)
  if (from === 'end') clusters.reverse()
  let w = 0
  const out: string[] = []
  for (const c of clusters) {
    const cw = clusterWidth(c)
    if (w + cw > width) break
    w += cw
    out.push(c)
  }
  if (from === 'end') out.reverse()
  return out.join('')
}

export const padEndWidth = (s: string, width: number): string => s + ' '.repeat(Math.max(0, width - textWidth(s)))
export const padStartWidth = (s: string, width: number): string => ' '.repeat(Math.max(0, width - textWidth(s))) + s
