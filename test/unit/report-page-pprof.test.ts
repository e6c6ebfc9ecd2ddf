// The report page's "Download pprof": the drawn tree encoded as a pprof Profile that a pprof reader decodes to the
// same stacks and values, lanes left out.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { Profile } from 'pprof-format'
import { encodePprof, type ShownNode } from '../../src/report/page-pprof'

const node = (name: string, loc: string, value: number, children: ShownNode[] = []): ShownNode => ({ name, loc, value, children })

it('encodes the shown tree as pprof: one sample per node with self time, leaf first, lanes skipped', () => {
  const tree = node('All processes', '', 100, [
    node('main 10', 'svc', 100, [node('main', 'src/app.ts:3', 100, [node('work', 'src/work.ts:10:4', 70), node('(idle)', '', 10)])]),
  ])
  const bytes = encodePprof(tree, { type: 'cpu', unit: 'nanoseconds' }, (n) => n.name === 'main 10')
  const p = Profile.decode(bytes)
  const s = (i: number | bigint): string => p.stringTable.strings[Number(i)] as string
  assert.deepEqual(p.sampleType.map((t) => [s(t.type), s(t.unit)]), [['cpu', 'nanoseconds']])
  const fn = new Map(p.function.map((f) => [Number(f.id), { name: s(f.name), file: s(f.filename), line: Number(f.startLine) }]))
  const stacks = p.sample.map((x) => [x.locationId.map((id) => fn.get(Number(id))?.name).join(' < '), Number(x.value[0])])
  assert.deepEqual(stacks.sort(), [['(idle) < main', 10], ['main', 20], ['work < main', 70]].sort())
  assert.deepEqual([...fn.values()].find((f) => f.name === 'work'), { name: 'work', file: 'src/work.ts', line: 10 })
  assert.ok(![...fn.values()].some((f) => f.name === 'main 10'), 'lanes are not functions')
})
