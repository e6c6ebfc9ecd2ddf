// The mark @datadog/pprof's serialiser puts on a profile with frames whose declared source map is missing (their
// columns are kept so that the backend can map them); dd-trace-js reports it as `hasMissingSourceMaps` in the
// event's info.
import type { Profile } from 'pprof-format'

export const MISSING_MAPS_COMMENT = 'dd:has-missing-map-files'

export function hasMissingSourceMaps(profile: Pick<Profile, 'comment' | 'stringTable'>): boolean {
  const strings = profile.stringTable.strings
  return (profile.comment ?? []).some((i) => strings[Number(i)] === MISSING_MAPS_COMMENT)
}

/** The event's info with `profiler.hasMissingSourceMaps` set for these profiles (dd-trace-js always sends it). */
export function withMissingMapsInfo(info: Record<string, unknown>, profiles: readonly Pick<Profile, 'comment' | 'stringTable'>[]): Record<string, unknown> {
  const profiler = (info.profiler ?? {}) as Record<string, unknown>
  return { ...info, profiler: { ...profiler, hasMissingSourceMaps: profiles.some(hasMissingSourceMaps) } }
}
