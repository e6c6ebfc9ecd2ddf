// Loaded by --require in every Node process of the tree. Kept tiny and written for any Node version that might run
// it: it only decides whether profiling may start here, and never throws into the app.
/* eslint-disable no-var */
try {
  // The profiling code lands with the profiling work; until then the preload is inert.
} catch (err) {
  // Never break the host application.
}
