/**
 * A problem found while reading a file: a syntax error, an evaluation budget hit, a conflict.
 * The id names the layer (`parse-*`, `eval-*`, `nixos-*`); findings travel with the results
 * instead of being thrown, so one bad file never stops the review of the others.
 */
export interface Diagnostic {
  id: string;
  /** 1-based line, or 0 when the problem concerns the whole file. */
  line: number;
  message: string;
}
