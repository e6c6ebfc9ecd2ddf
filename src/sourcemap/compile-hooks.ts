// Where code compiled from a string enters V8 under a file's name, dd-run notes its inline map (compiled.ts):
//   vm.compileFunction          jest 30 (babel-jest, ts-jest output)
//   vm.Script                   jest 29 and older
//   Module.prototype._compile   require hooks: ts-node, @swc-node/register, @babel/register, esbuild-register;
//                               only in a process started with one of them (see usesRequireHook)
// Each wrapper calls the original with the same arguments and returns what it returns; noting costs a look at the
// code's last line (and a copy of an inline map's URL). Installed once per thread, only with DD_PROFILING_SOURCE_MAP
// on; never throws into the app.
//
// A wrapper is a frame of its own in the stack traces of errors thrown under it. The vm wrappers return before the
// code they compile runs (only a syntax error's stack shows them); Module._compile runs the module's body, so its
// wrapper would show in the stack of every error thrown while any module loads: it is installed only where a
// require hook that transforms code was asked for on the command line, whose own frames are there anyway.
//
// The wrappers are compiled here from a string under their own name (HOOKS_FILE) rather than written in dd-run's
// bundle: their frames sit on the stack while V8 compiles the app's code and while a module body runs, and a frame
// of dd-run's files there would make the report count that time as the profiler's (report/frame-names.ts). Only
// the noting itself, in dd-run's files, is the profiler's cost.
import type * as VM from 'node:vm'
import { CompiledCode, compiledCode, setCompiledCode, trailingMappingUrl } from './compiled'

/** The name the wrappers' frames show in a profile or a stack trace. */
export const HOOKS_FILE = 'dd-run:compile-hooks'

type Fn = (...args: unknown[]) => unknown

interface Wrapped {
  _compile: Fn
  compileFunction: Fn
  Script: typeof VM.Script
}

const WRAPPERS = `
return {
  _compile: function _compile(content, filename) {
    noteModule(filename, content)
    return Reflect.apply(compile, this, arguments)
  },
  compileFunction: function compileFunction(code, params, options) {
    const fn = Reflect.apply(compileFunction0, this, arguments)
    noteCode(options && options.filename, code)
    return fn
  },
  Script: class Script extends Script0 {
    constructor(code, options) {
      super(...arguments)
      noteScript(typeof options === 'string' ? options : options && options.filename, this, code)
    }
    // A script Node made itself (vm.runInContext, vm.createScript) is still a vm.Script.
    static [Symbol.hasInstance](value) {
      return value instanceof Script0
    }
  },
}`

/** Starts noting the inline maps of compiled code in this thread (once). Returns whether it is on.
 * @param moduleHook wrap Module.prototype._compile too (default: when usesRequireHook says so). */
export function watchCompiledCode(moduleHook = usesRequireHook(process.execArgv, process.env.NODE_OPTIONS, process.argv[1])): boolean {
  if (compiledCode()) return true
  // The modules' objects themselves (not an import's copy): what the app's require('node:vm') gets.
  const Module = require('node:module') as { prototype: { _compile?: Fn } }
  const vm = require('node:vm') as { compileFunction: Fn; Script: typeof VM.Script }
  const proto = Module.prototype
  if (typeof proto._compile !== 'function' || typeof vm.compileFunction !== 'function') return false
  const notes = new CompiledCode()
  const nodeHoldsMaps = (): boolean => (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true
  const noteCode = (filename: unknown, code: unknown): void => {
    try {
      if (typeof code === 'string') notes.note(filename, trailingMappingUrl(code))
    } catch {
      // Never into the app.
    }
  }
  const make = vm.compileFunction(WRAPPERS, ['compile', 'compileFunction0', 'Script0', 'noteModule', 'noteCode', 'noteScript'], { filename: HOOKS_FILE }) as Fn
  const wrapped = make(
    proto._compile,
    vm.compileFunction,
    vm.Script,
    // Node keeps the map itself of what Module._compile runs when its source maps are on (tsx turns them on):
    // module.findSourceMap() has it (locate.ts asks it first), no copy needed.
    (filename: unknown, code: unknown) => {
      if (!nodeHoldsMaps()) noteCode(filename, code)
    },
    noteCode,
    (filename: unknown, script: { sourceMapURL?: unknown }, code: unknown) => {
      try {
        // V8 finds the comment wherever the code puts it (jest 29 wraps the code: it is not on the last line).
        const url = typeof script.sourceMapURL === 'string' && script.sourceMapURL !== '' ? script.sourceMapURL : typeof code === 'string' ? trailingMappingUrl(code) : undefined
        notes.note(filename, url)
      } catch {
        // Never into the app.
      }
    },
  ) as Wrapped
  wrapped.compileFunction = rename(wrapped.compileFunction, vm.compileFunction)
  if (moduleHook) proto._compile = rename(wrapped._compile, proto._compile)
  vm.compileFunction = wrapped.compileFunction
  vm.Script = wrapped.Script
  setCompiledCode(notes)
  return true
}

/** Packages that transform modules through Module.prototype._compile and are started from the command line. */
const REQUIRE_HOOK = /(?:^|\s)(?:-r|--require|--import|--loader|--experimental-loader)(?:\s+|=)["']?(?:ts-node|@swc-node\/register|@babel\/register|esbuild-register|sucrase\/register)(?:[/"'\s]|$)/
/** Their CLIs, which register the hook in their own process: ts-node app.ts, babel-node app.js. */
const HOOK_CLI = /(?:^|[/\\])(?:ts-node(?:-script|-transpile-only|-cwd)?|babel-node)(?:\.js)?$|[/\\]ts-node[/\\]dist[/\\]bin(?:-[a-z-]+)?\.js$/

/** Whether this process was started with a require hook that compiles modules from a string (ts-node, ...). */
export function usesRequireHook(execArgv: readonly string[], nodeOptions: string | undefined, script: string | undefined): boolean {
  // Every profiled process asks, at start-up: a substring test first, since compiling the two expressions costs
  // about 0.4 ms, and every name they match holds one of these words.
  const flags = ` ${execArgv.join(' ')} ${nodeOptions ?? ''}`
  if ((flags.includes('register') || flags.includes('ts-node')) && REQUIRE_HOOK.test(flags)) return true
  return script !== undefined && (script.includes('ts-node') || script.includes('babel-node')) && HOOK_CLI.test(script)
}

/** The wrapper with the original's length, for code that looks at it. */
function rename(wrapper: Fn, original: Fn): Fn {
  try {
    Object.defineProperty(wrapper, 'length', { value: original.length })
  } catch {
    // A frozen function: as it is.
  }
  return wrapper
}
