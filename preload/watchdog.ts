// The watchdog thread's script (a worker thread the preload starts in a profiled main thread): see
// src/profiling/watchdog/helper.ts. Bundled into dist/preload/watchdog.js.
require('../src/profiling/watchdog/helper').runHelper()
