// Loaded by --require in every Node process (and worker thread) of the tree: the preload's first stage. It runs the
// second stage (dist/preload/main.js, from preload/main.ts) with V8's code cache for it when a trusted one exists,
// which spares each process parsing the bundle and compiling what it runs (src/code-cache.ts). Only Node built-ins,
// syntax any Node parses, and never a throw into the app.
import path = require('node:path')
import { runWithCodeCache } from '../src/code-cache'

try {
  runWithCodeCache(path.join(__dirname, 'main.js'), 'preload', 'exit')
} catch (err) {
  try {
    process.stderr.write('dd-run: profiling is off in this process: ' + String((err as Error)?.message ?? err).split('\n')[0] + ' (pid ' + process.pid + ')\n')
  } catch (ignored) {
    // stderr is gone
  }
}
