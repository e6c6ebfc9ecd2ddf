// withLabels: labels on the wall (and CPU) samples taken while a function and the async work it starts run.
// The labels ride on the wall profiler's context, which is what each sample records. Two ways, by runtime:
//  - AsyncContextFrame (Node 24+, or 22 with --experimental-async-context-frame; the session detects it): the
//    profiler reads the context from V8's continuation-preserved data, so time.runWithContext hands it to fn
//    and to every continuation fn starts, with no hook (@datadog/pprof's useCPED, as dd-trace-js 6.x).
//  - Otherwise (Node 18, 20, 22): the profiler has one current context per thread, so it must be switched
//    whenever the event loop moves from one piece of async work to another: an AsyncLocalStorage holds the
//    labels and an async_hooks `before` hook puts them in place, installed the first time withLabels runs in a
//    profiled process: an app that never labels pays nothing.
// The labels in force (for nesting and currentLabels()) are the profiler's context on AsyncContextFrame, else
// in that AsyncLocalStorage of our own. Without profiling (no preload, no Profiler started,
// or contexts off with DD_PROFILING_CPU_ENABLED=false) withLabels simply runs fn.
import type { AsyncLocalStorage } from 'node:async_hooks'
import type { Pprof } from './profiling/load-pprof'
import { CPED_KEY, LABELS_KEY } from './profiling/profilers'
import type { Session } from './profiling/session'
import { SESSION_KEY } from './profiling/session-key'

export type Labels = Readonly<Record<string, string>>
type Context = { readonly [LABELS_KEY]?: Labels }

interface State {
  time: Pprof['time']
  store: AsyncLocalStorage<Context>
  empty: Context
  current: Context | undefined
  /** Contexts on AsyncContextFrame: no hook, no switching. */
  cped: boolean
}

let state: State | undefined | null

/** Runs fn with these labels added to those already in force; returns what fn returns (a promise stays one). */
export function withLabels<R>(labels: Record<string, string | number | boolean>, fn: () => R): R {
  const s = active()
  if (!s) return fn()
  const merged: Record<string, string> = { ...(inForce(s)?.[LABELS_KEY] ?? {}) }
  for (const [k, v] of Object.entries(labels ?? {})) merged[String(k)] = String(v)
  const ctx: Context = Object.freeze({ [LABELS_KEY]: Object.freeze(merged) })
  if (s.cped) {
    // Checked first, so that fn runs exactly once: runWithContext refuses only before calling it. Once the
    // session has stopped, labels no longer matter.
    if (!s.time.isStarted()) return fn()
    return s.time.runWithContext(ctx, fn)
  }
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
  return (s && inForce(s)?.[LABELS_KEY]) || {}
}

/** The context in force: on AsyncContextFrame the profiler's own (what runWithContext set), else our store's. */
function inForce(s: State): Context | undefined {
  if (!s.cped) return s.store.getStore()
  try {
    return s.time.isStarted() ? (s.time.getContext() as Context | undefined) : undefined
  } catch {
    return undefined
  }
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
    // The session's own @datadog/pprof: the preload's is bundled into it, and a copy loaded here would be another
    // module, with no profiler started.
    const time = session.pprof.time
    if (!time.isStarted()) return undefined
    const { AsyncLocalStorage: Als, createHook } = require('node:async_hooks') as typeof import('node:async_hooks')
    const cped = (globalThis as Record<symbol, boolean | undefined>)[CPED_KEY] === true
    const s: State = { time, store: new Als<Context>(), empty: Object.freeze({}), current: undefined, cped }
    if (!cped) {
      createHook({
        before() {
          put(s, s.store.getStore() ?? s.empty)
        },
      }).enable()
    }
    state = s
    return s
  } catch {
    state = null
    return undefined
  }
}
