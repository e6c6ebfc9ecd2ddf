// Maps an already built pprof profile to original sources, in place: for the profiles @datadog/pprof does not
// serialise with dd-run's source mapper (the events and exceptions profiles dd-run builds from stack text, and any
// other collection path). Called where a profile is about to be encoded; the wall and heap profiles are mapped
// while they are serialised and need not come here.
import { Function as PprofFunction, type Profile } from 'pprof-format'
import type { SourceMaps } from './source-maps'

type Fn = PprofFunction

export function mapProfile(profile: Profile, maps: SourceMaps): void {
  const strings = profile.stringTable
  const fns = new Map<number, Fn>(profile.function.map((f) => [Number(f.id), f]))
  // One function per (name, file) after mapping: a generated function may map to several original ones.
  const byKey = new Map<string, Fn>()
  let nextId = profile.function.reduce((m, f) => Math.max(m, Number(f.id)), 0) + 1
  for (const loc of profile.location) {
    for (const line of loc.line) {
      const fn = fns.get(Number(line.functionId))
      if (!fn) continue
      const file = strings.strings[Number(fn.filename)] ?? ''
      const at = Number(line.line)
      if (!file || at <= 0) continue
      const to = maps.map(file, at, Number(line.column ?? 0))
      if (!to) continue
      const name = to.name ?? strings.strings[Number(fn.name)] ?? ''
      const key = `${name}\0${to.file}`
      let mapped = byKey.get(key)
      if (!mapped) {
        const nameId = strings.dedup(name)
        mapped = new PprofFunction({ id: nextId++, name: nameId, systemName: nameId, filename: strings.dedup(to.file), startLine: to.line })
        byKey.set(key, mapped)
        profile.function.push(mapped)
      }
      line.functionId = mapped.id
      line.line = to.line
    }
  }
}
