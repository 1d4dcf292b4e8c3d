/**
 * The directive catalogue: one typed entry per systemd directive that affects a service's
 * sandbox. It is the single source of truth for value normalisation, strictness comparison,
 * scorer inputs, minimum systemd versions, documentation and `explain` output.
 */

/** The families the catalogue is split into (one file each). */
export type Family = 'identity' | 'filesystem' | 'kernel' | 'privileges' | 'network' | 'syscalls' | 'devices' | 'ipc' | 'process';

/**
 * How the unit-file value of a directive is read. The catalogue normalises every spelling NixOS
 * modules use into one of these shapes before comparing.
 * - `bool`: yes/no (`true`, `"yes"`, `"true"`, `1`, `"on"` ...)
 * - `enum`: one word from `values`, where booleans map to `boolValues`
 * - `string`: a single free-form value (a user name, a path)
 * - `list`: space-separated words that accumulate over assignments; an empty assignment resets
 * - `paths`: like `list`, with systemd path prefixes (`-`, `+`, `:ro` suffixes kept as written)
 * - `entries`: one entry per assignment, which may contain spaces (`DeviceAllow=char-drm rw`,
 *   `LoadCredential=id:path`); an empty assignment resets
 * - `umask`: an octal file mode mask
 */
export type ValueKind = 'bool' | 'enum' | 'string' | 'list' | 'paths' | 'entries' | 'umask';

/**
 * How two values of a directive compare in strictness.
 * - `true-stricter` / `false-stricter`: booleans
 * - `order`: an enum ordered from loosest to strictest (`order` lists the normalised words)
 * - `allow-set`: the value is what is permitted; fewer members is stricter (capabilities,
 *   address families, syscalls after group expansion, device entries, writable paths). A
 *   `universe` marks a filter over a known domain: unset permits everything, a leading `~` makes
 *   a deny list, and members may be expanded (syscall groups). Without one the value is a plain
 *   list that permits nothing when unset.
 * - `deny-set`: the value is what is forbidden; more members is stricter (inaccessible paths,
 *   IPAddressDeny)
 * - `umask`: more masked bits is stricter
 * - `user`: any non-root user is stricter than root or no user
 * - `none`: a change is reported as changed, never as loosened or tightened
 */
export type Strictness =
  | { kind: 'true-stricter' }
  | { kind: 'false-stricter' }
  | { kind: 'order'; order: readonly string[] }
  | {
      kind: 'allow-set';
      universe?: 'capabilities' | 'syscalls' | 'families' | 'namespaces' | 'architectures' | 'filesystems' | 'interfaces';
    }
  | { kind: 'deny-set' }
  | { kind: 'umask' }
  | { kind: 'user' }
  | { kind: 'none' };

export interface Directive {
  /** Verbatim systemd name, e.g. `ProtectSystem`. */
  name: string;
  family: Family;
  kind: ValueKind;
  /** For `enum`: the words systemd accepts (normalised, lower case where systemd is case-insensitive). */
  values?: readonly string[];
  /** Values newer than the directive itself: the systemd version that first accepts each. */
  valueSince?: Readonly<Record<string, number>>;
  /** For `enum` directives that also take booleans: what yes and no mean. */
  boolValues?: { yes: string; no: string };
  strictness: Strictness;
  /** systemd's default when the directive is not set, as a unit-file value (`""` for empty). */
  default: string;
  /** The first systemd version that knows the directive. */
  since: number;
  /** `json_field`s of the `systemd-analyze security` checks this directive feeds. */
  scored: readonly string[];
  /** One line: what it does. */
  summary: string;
  /** Why it matters for a service's exposure. */
  rationale: string;
  /** What tends to break when it is tightened, if anything is known. */
  breakage?: string;
  /** Anchor in the systemd man pages, e.g. `systemd.exec.html#ProtectSystem=`. */
  man: string;
  /** A weak setting and a strong one, as `serviceConfig` lines of a NixOS module. */
  examples: { weak: string; strong: string };
}
