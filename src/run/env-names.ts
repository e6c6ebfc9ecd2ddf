// Run-scoped variables: set by the launcher (and by each profiled process for its own children) to tie every
// process of one launch together. They are not settings: users never set them.

/** One id per dd-run launch, shared by the whole process tree. */
export const RUN_ID = 'DD_RUN_ID'
/** A private directory the launcher creates for the run: preloads report there and spool last-gasp bundles. */
export const RUN_CHANNEL = 'DD_RUN_CHANNEL'
/** The launcher's pid. */
export const RUN_LAUNCHER_PID = 'DD_RUN_LAUNCHER_PID'
/** Set by each profiled process for its children: its pid and runtime id. */
export const RUN_PARENT_PID = 'DD_RUN_PARENT_PID'
export const RUN_PARENT_RUNTIME_ID = 'DD_RUN_PARENT_RUNTIME_ID'
/** Set by the launcher when DD_SERVICE was inferred from package.json: process_tags then say svc.auto, as dd-trace-js. */
export const RUN_SERVICE_INFERRED = 'DD_RUN_SERVICE_INFERRED'
