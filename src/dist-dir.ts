// dd-run's build directory (dist/). This file's build output sits one level below it (dist/src/dist-dir.js), and
// so do the bundled entry points that inline it (dist/bin/dd-run.js, dist/preload/index.js): one `..` is right
// for all of them.
import * as path from 'node:path'

export const DIST_DIR = path.resolve(__dirname, '..')
