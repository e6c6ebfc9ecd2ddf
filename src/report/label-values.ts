// The label values the report groups samples under when they are not a value of their own. A leaf module: the
// page's script (bundled for the browser) uses them too.

/** Samples that lack a key are grouped under this value, so the groups of a key add up to the whole. */
export const NO_VALUE = '(none)'
/** Values of one key beyond the largest ones are grouped as one, so a high-cardinality label cannot bloat the page. */
export const OTHER_VALUES = '(other values)'
export const MAX_VALUES = 20
