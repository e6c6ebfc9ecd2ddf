// withLabels: labels on the wall (and CPU) samples taken while a function and the async work it starts run.
// The labels ride on the wall profiler's context (@datadog/pprof time.setContext), which is what each sample
// records. On Node 20 the profiler has one current context per thread, so it must be switched whenever the
// event loop moves from one piece of async work to another: an AsyncLocalStorage holds the labels and an
// async_hooks `before` hook puts them in place. The hook is installed the first time withLabels runs in a
// profiled process: an app that never labels pays nothing. Without profiling (no preload, no Profiler started,
// or contexts off with DD_PROFILING_CPU_ENABLED=false) withLabels simply runs fn.
import type { AsyncLocalStorage } from 'node:async_hooks'
import { LABELS_KEY, type Pprof } from './profiling/profilers'
import type { Session } from './profiling/session'
import { SESSION_KEY } from './profiling/session-key'

export type Labels = Readonly<Record<string, string>>
type Context = { readonly [LABELS_KEY]?: Labels }

interface State {
  time: Pprof['time']
  store: AsyncLocalStorage<Context>
  empty: Context
  current: Context | undefined
}

let state: State | undefined | null

/** Runs fn with these labels added to those already in force; returns what fn returns (a promise stays one). */
export function withLabels<R>(labels: Record<string, string | number | boolean>, fn: () => R): R {
  const s = active()
  if (!s) return fn()
  const merged: Record<string, string> = { ...(s.store.getStore()?.[LABELS_KEY] ?? {}) }
  for (const [k, v] of Object.entries(labels ?? {})) merged[String(k)] = String(v)
  const ctx: Context = Object.freeze({ [LABELS_KEY]: Object.freeze(merged) })
  const previous = s.current
  put(s, ctx)
  try {
    return s.store.run(ctx, fn)
  } finally {
    put(s, previous ?? s.empty)
  }
}

/** The async variant: awaits fn, with the labels on everything it does until it settles. */
export async function withLabelsAsync<R>(labels: Record<string, string | number | boolean>, fn: () => Promise<R> | R): Promise<R> {
  return await withLabels(labels, fn)
}

/** The labels in force here (empty without profiling). */
export function currentLabels(): Labels {
  const s = active()
  return (s && s.store.getStore()?.[LABELS_KEY]) || {}
}

function put(s: State, ctx: Context): void {
  if (s.current === ctx) return
  s.current = ctx
  try {
    s.time.setContext(ctx)
  } catch {
    // The wall profiler stopped (the session ended): labels no longer matter.
  }
}

/** The labelling machinery, set up on first use when this thread's session samples wall time with contexts. */
function active(): State | undefined {
  if (state !== undefined) return state ?? undefined
  const session = (globalThis as Record<symbol, Session | undefined>)[SESSION_KEY]
  if (!session || session.stopped) return undefined // a session may start later: ask again next time
  const c = session.config
  const wall = c.walltimeEnabled !== false && (c.profilers.includes('wall') || c.walltimeEnabled === true)
  if (!wall || !c.cpuEnabled) {
    state = null // contexts are off in this process for good
    return undefined
  }
  try {
    const time = (require('./profiling/load-pprof') as typeof import('./profiling/load-pprof')).loadPprof().time
    if (!time.isStarted()) return undefined
    const { AsyncLocalStorage: Als, createHook } = require('node:async_hooks') as typeof import('node:async_hooks')
    const s: State = { time, store: new Als<Context>(), empty: Object.freeze({}), current: undefined }
    createHook({
      before() {
        put(s, s.store.getStore() ?? s.empty)
      },
    }).enable()
    state = s
    return s
  } catch {
    state = null
    return undefined
  }
}
