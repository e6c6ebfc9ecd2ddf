'use strict'
// The per-request unit of work shared by the benchmark apps: what a typical JSON API does (parse, build strings,
// sort a small array, serialise), about 0.1-0.3 ms of CPU per call on a laptop-class core.
const ITEMS = Array.from({ length: 60 }, (_, i) => ({
  id: i,
  name: 'item-' + ((i * 7919) % 1000),
  price: ((i * 104729) % 10000) / 100,
  tags: ['a' + (i % 5), 'b' + (i % 3), 'c' + (i % 7)],
}))
const PAYLOAD = JSON.stringify({ user: 'bench', items: ITEMS })

function unitOfWork(seed) {
  const doc = JSON.parse(PAYLOAD)
  for (const item of doc.items) {
    item.label = (item.name + ':' + item.tags.join('|')).toUpperCase()
    item.score = (item.price * 31 + seed) % 97
  }
  doc.items.sort((a, b) => a.score - b.score || a.id - b.id)
  const summary = doc.items.slice(0, 10).map((it) => it.label.slice(0, 12) + '=' + it.score.toFixed(2))
  return JSON.stringify({ seed, top: summary, count: doc.items.length })
}

module.exports = { unitOfWork }
