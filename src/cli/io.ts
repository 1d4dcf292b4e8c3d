/** Where the CLI writes; tests pass buffers. */
export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}
