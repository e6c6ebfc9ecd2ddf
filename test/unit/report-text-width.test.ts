// top and diff tables with wide characters: CJK and emoji take two terminal columns, combining marks none, so
// columns stay aligned and lines never exceed the width.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { table } from '../../src/report/format'
import { sliceWidth, textWidth } from '../../src/report/text-width'

describe('text width', () => {
  it('counts terminal columns', () => {
    assert.equal(textWidth('handler'), 7)
    assert.equal(textWidth('処理する'), 8)
    assert.equal(textWidth('🚀launch'), 8)
    assert.equal(textWidth('👩‍💻'), 2, 'a ZWJ sequence is one emoji')
    assert.equal(textWidth('café'), 4, 'e + combining acute is one column')
    assert.equal(textWidth('ｆｕｌｌ'), 8, 'fullwidth forms')
  })

  it('cuts at a cluster, never in the middle of a wide character', () => {
    assert.equal(sliceWidth('処理する', 5, 'start'), '処理')
    assert.equal(sliceWidth('処理する', 5, 'end'), 'する')
  })

  it('aligns columns after names with wide characters', () => {
    const cols = [
      { title: 'self%', align: 'right' as const },
      { title: 'function', align: 'left' as const, flex: { min: 8, keep: 'start' as const } },
      { title: 'location', align: 'left' as const, flex: { min: 12, keep: 'end' as const } },
    ]
    const rows = [
      ['50.0%', 'データを処理する', 'src/処理.ts:10'],
      ['30.0%', '🚀launchRocket', 'src/rocket.ts:3'],
      ['20.0%', 'plainAscii', 'src/plain.ts:7'],
    ]
    for (const width of [200, 40, 30]) {
      const lines = table(cols, rows, width).trimEnd().split('\n')
      for (const l of lines) assert.ok(textWidth(l) <= width, `${JSON.stringify(l)} is wider than ${width}`)
      // The location column starts at the same terminal column on every line.
      const starts = lines.slice(1).map((l) => {
        const at = l.lastIndexOf('  ')
        return textWidth(l.slice(0, at + 2))
      })
      assert.equal(new Set(starts).size, 1, `columns aligned at width ${width}: ${JSON.stringify(lines)}`)
    }
  })
})
