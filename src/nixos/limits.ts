/** Limits of the analysis, in a module of their own so that light callers need not load it all. */

/** Real service modules are far below this; larger files would take seconds to parse. */
export const DEFAULT_MAX_CHARS = 1024 * 1024;
