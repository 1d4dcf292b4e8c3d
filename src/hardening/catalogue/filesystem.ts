/**
 * Filesystem: what part of the host's file hierarchy the service sees, and with which access
 * (read-only OS, hidden homes, private /tmp, explicit writable/readable/executable paths, a
 * different root, managed per-service directories).
 */
import { defineFamily, type DirectiveSpec } from './scored-fields.js';

/** The five managed directory settings share their shape; only the location and lifetime differ. */
function managedDirectory(
  name: string,
  since: number,
  where: string,
  rationale: string,
  breakage: string,
): DirectiveSpec {
  return {
    name,
    kind: 'list',
    strictness: { kind: 'allow-set' },
    default: '',
    since,
    summary: `Creates the named directories below ${where} for the service and exposes them to it.`,
    rationale,
    breakage,
    man: `systemd.exec.html#${name}=`,
    examples: { weak: `${name} = [ "myservice" "myservice-extra" ];`, strong: `${name} = [ "myservice" ];` },
  };
}

/** The matching *DirectoryMode settings. */
function directoryMode(name: string, since: number, directory: string): DirectiveSpec {
  return {
    name,
    kind: 'umask',
    strictness: { kind: 'none' },
    default: '0755',
    since,
    summary: `Sets the access mode of the directories created by ${directory} (0755 unless set).`,
    rationale:
      `The default leaves the service's ${directory} directories readable by every local user. A tighter ` +
      'mode such as 0700 or 0750 keeps other accounts out of the data. (Fewer permission bits are stricter; ' +
      'the comparator treats a change as neutral because a mode is the inverse of a umask.)',
    breakage:
      'Other users or groups that legitimately read the directory (a web server serving generated files, a ' +
      'backup job, a monitoring agent) lose access when bits are removed.',
    man: `systemd.exec.html#${name}=`,
    examples: { weak: `${name} = "0755";`, strong: `${name} = "0700";` },
  };
}

export const FILESYSTEM = defineFamily('filesystem', [
  {
    name: 'ProtectSystem',
    kind: 'enum',
    values: ['no', 'yes', 'full', 'strict'],
    boolValues: { yes: 'yes', no: 'no' },
    strictness: { kind: 'order', order: ['no', 'yes', 'full', 'strict'] },
    default: 'no',
    since: 214,
    summary: 'Mounts the operating system read-only for the service (yes: /usr and /boot; full: also /etc; strict: everything).',
    rationale:
      'Stops a compromised service from modifying binaries, libraries and configuration. With strict the ' +
      'whole tree except /dev, /proc and /sys is read-only and every writable location must be granted ' +
      'explicitly (ReadWritePaths, StateDirectory and friends). "strict" exists since systemd 232. ' +
      'systemd-analyze: strict 0, full 3, yes 5, no 10; not applicable with DefaultDependencies=no.',
    breakage:
      'Writes outside the granted paths fail with EROFS: logs written directly under /var/log, caches, PID ' +
      'files in unusual places, self-updaters and package managers. "full" additionally breaks services ' +
      'that rewrite files in /etc.',
    man: 'systemd.exec.html#ProtectSystem=',
    examples: { weak: 'ProtectSystem = "full";', strong: 'ProtectSystem = "strict";' },
  },
  {
    name: 'ProtectHome',
    kind: 'enum',
    values: ['no', 'read-only', 'tmpfs', 'yes'],
    boolValues: { yes: 'yes', no: 'no' },
    strictness: { kind: 'order', order: ['no', 'read-only', 'tmpfs', 'yes'] },
    default: 'no',
    since: 214,
    summary: 'Hides, empties or write-protects /home, /root and /run/user for the service.',
    rationale:
      'Home directories hold the most personal data on a machine (keys, mail, browser profiles). yes makes ' +
      'them inaccessible; tmpfs (since 238) mounts empty read-only tmpfs instances so that single ' +
      'directories can be re-exposed with BindPaths; read-only still lets the service read everything. ' +
      'The order follows systemd-analyze: yes 0, tmpfs 1, read-only 5, no 10 (not applicable with ' +
      'DefaultDependencies=no).',
    breakage:
      'Services that serve, sync or back up home directories (file sharing, Syncthing, per-user web ' +
      'directories, mail delivery to ~/Maildir, git hosting under a user\'s home) or that keep their own ' +
      'state under a home directory break.',
    man: 'systemd.exec.html#ProtectHome=',
    examples: { weak: 'ProtectHome = "read-only";', strong: 'ProtectHome = true;' },
  },
  {
    name: 'PrivateTmp',
    kind: 'enum',
    values: ['no', 'yes', 'disconnected'],
    valueSince: { disconnected: 257 },
    boolValues: { yes: 'yes', no: 'no' },
    strictness: { kind: 'order', order: ['no', 'yes', 'disconnected'] },
    default: 'no',
    since: 1,
    summary: 'Gives the service its own /tmp and /var/tmp, removed when it stops.',
    rationale:
      'Shared world-writable temporary directories are a classic place for symlink races, leaked secrets ' +
      'and planted files. A private pair removes that channel. "disconnected" (systemd 257) backs them with ' +
      'a fresh tmpfs instead of storage on the host. Scored only while DefaultDependencies is on; ' +
      'DynamicUser implies it.',
    breakage:
      'Anything exchanged through /tmp with other processes stops working: X11 sockets in /tmp/.X11-unix, ' +
      'files handed to the daemon by other tools, sockets other programs expect in /tmp. Data left there is ' +
      'lost when the service stops.',
    man: 'systemd.exec.html#PrivateTmp=',
    examples: { weak: 'PrivateTmp = false;', strong: 'PrivateTmp = true;' },
  },
  {
    name: 'PrivateMounts',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 239,
    summary: 'Runs the service in its own mount namespace so its mounts never reach the host.',
    rationale:
      'A service that can mount or unmount in the host namespace can hide or replace files for every other ' +
      'process. Most other filesystem options already imply a private namespace; this asks for it ' +
      'explicitly. When querying a running system, systemd-analyze also counts it as on if such options are set.',
    breakage:
      'Services whose purpose is to mount things for everyone else (automounters, FUSE filesystems meant to ' +
      'be visible system-wide, container runtimes, backup tools mounting snapshots for others) stop working.',
    man: 'systemd.exec.html#PrivateMounts=',
    examples: { weak: 'PrivateMounts = false;', strong: 'PrivateMounts = true;' },
  },
  {
    name: 'ReadWritePaths',
    kind: 'paths',
    strictness: { kind: 'allow-set' },
    default: '',
    since: 231,
    summary: 'Lists paths that stay writable inside an otherwise read-only view.',
    rationale:
      'Each entry is a writable hole in ProtectSystem=strict or ReadOnlyPaths, and therefore a place a ' +
      'compromised service can tamper with. Short, specific lists are the goal. (Before 231 the setting was ' +
      'called ReadWriteDirectories.)',
    breakage: 'Removing an entry turns writes below it into read-only filesystem errors.',
    man: 'systemd.exec.html#ReadWritePaths=',
    examples: {
      weak: 'ReadWritePaths = [ "/var/lib/myservice" "/srv" ];',
      strong: 'ReadWritePaths = [ "/var/lib/myservice" ];',
    },
  },
  {
    name: 'ReadOnlyPaths',
    kind: 'paths',
    strictness: { kind: 'deny-set' },
    default: '',
    since: 231,
    summary: 'Lists paths the service may read but not write.',
    rationale:
      'Protects configuration and data the service needs to read from being modified by it. Paths nested ' +
      'below with ReadWritePaths stay writable. (Called ReadOnlyDirectories before 231.)',
    breakage: 'The service fails if it expects to update files under a listed path (state, lock or cache files).',
    man: 'systemd.exec.html#ReadOnlyPaths=',
    examples: {
      weak: 'ReadOnlyPaths = [ "/etc" ];',
      strong: 'ReadOnlyPaths = [ "/etc" "/var/lib/shared" ];',
    },
  },
  {
    name: 'InaccessiblePaths',
    kind: 'paths',
    strictness: { kind: 'deny-set' },
    default: '',
    since: 231,
    summary: 'Makes the listed paths and everything below them invisible and unusable for the service.',
    rationale:
      'Takes sensitive locations (secret stores, other services\' state, control sockets) out of reach ' +
      'entirely. Nothing below can be re-opened with other path settings; TemporaryFileSystem is the ' +
      'flexible alternative. (Called InaccessibleDirectories before 231.)',
    breakage: 'The service fails if a library, socket or file it needs lives below a listed path.',
    man: 'systemd.exec.html#InaccessiblePaths=',
    examples: {
      weak: 'InaccessiblePaths = [ "/root" ];',
      strong: 'InaccessiblePaths = [ "/root" "-/var/lib/secrets" ];',
    },
  },
  {
    name: 'ExecPaths',
    kind: 'paths',
    strictness: { kind: 'allow-set' },
    default: '',
    since: 248,
    summary: 'Re-allows execution below the listed paths inside a NoExecPaths area.',
    rationale:
      'Together with NoExecPaths=/ it turns "anything may run" into "only these trees may run", so a payload ' +
      'written to a writable directory cannot be executed. Every extra entry widens that set.',
    breakage: 'Binaries, plugins or helper scripts outside the listed trees can no longer be started or mapped executable.',
    man: 'systemd.exec.html#ExecPaths=',
    examples: { weak: 'ExecPaths = [ "/nix/store" "/usr" ];', strong: 'ExecPaths = [ "/nix/store" ];' },
  },
  {
    name: 'NoExecPaths',
    kind: 'paths',
    strictness: { kind: 'deny-set' },
    default: '',
    since: 248,
    summary: 'Forbids executing files below the listed paths.',
    rationale:
      'Blocks the common exploit step of dropping a binary into a writable directory and running it. ' +
      'Covering "/" and re-allowing /nix/store with ExecPaths is the strongest form.',
    breakage:
      'Programs that execute generated code from their data or temp directories (plugin caches, JIT ' +
      'caches written to disk, build tools, self-updaters) fail.',
    man: 'systemd.exec.html#NoExecPaths=',
    examples: {
      weak: 'NoExecPaths = [ "/tmp" ];',
      strong: 'NoExecPaths = [ "/tmp" "/var/lib/myservice" ];',
    },
  },
  {
    name: 'TemporaryFileSystem',
    kind: 'paths',
    strictness: { kind: 'deny-set' },
    default: '',
    since: 238,
    summary: 'Mounts an empty tmpfs over each listed path (optionally with mount options such as :ro).',
    rationale:
      'Hides the host contents of a directory while still letting BindPaths/BindReadOnlyPaths expose chosen ' +
      'parts of it, which makes allow-list style sandboxes possible (e.g. "/" plus a few binds). ' +
      'systemd-analyze does not recognise it as a replacement for ProtectSystem or ProtectHome.',
    breakage: 'Anything below the mount point that is not bound back in disappears for the service.',
    man: 'systemd.exec.html#TemporaryFileSystem=',
    examples: {
      weak: 'TemporaryFileSystem = [ "/var:ro" ];',
      strong: 'TemporaryFileSystem = [ "/var:ro" "/srv:ro" ];',
    },
  },
  {
    name: 'BindPaths',
    kind: 'paths',
    strictness: { kind: 'allow-set' },
    default: '',
    since: 233,
    summary: 'Bind-mounts host paths into the service\'s namespace, writable, as SOURCE[:DEST[:OPTIONS]].',
    rationale:
      'Each bind re-exposes a piece of the host, writable unless the source mount is read-only, and does so ' +
      'even inside RootDirectory, TemporaryFileSystem or ProtectHome=tmpfs setups. The list is the ' +
      'service\'s writable window onto the host.',
    breakage: 'Removing a bind hides that path (or its destination) from the service.',
    man: 'systemd.exec.html#BindPaths=',
    examples: {
      weak: 'BindPaths = [ "/srv/data" "/var/lib/shared" ];',
      strong: 'BindPaths = [ "/srv/data" ];',
    },
  },
  {
    name: 'BindReadOnlyPaths',
    kind: 'paths',
    strictness: { kind: 'allow-set' },
    default: '',
    since: 233,
    summary: 'Bind-mounts host paths into the service\'s namespace read-only.',
    rationale:
      'The usual way to feed a chroot or tmpfs-based sandbox exactly what it needs to read (the Nix store, ' +
      'certificates, a config file). Fewer binds mean less of the host is visible.',
    breakage: 'Removing a bind makes the file or directory missing inside the sandbox.',
    man: 'systemd.exec.html#BindReadOnlyPaths=',
    examples: {
      weak: 'BindReadOnlyPaths = [ "/etc/ssl" "/etc/myservice" ];',
      strong: 'BindReadOnlyPaths = [ "/etc/ssl" ];',
    },
  },
  {
    name: 'RootDirectory',
    kind: 'string',
    strictness: { kind: 'none' },
    default: '',
    since: 1,
    summary: 'Runs the service with a different root directory (pivot_root/chroot).',
    rationale:
      'Only what exists in, or is bound into, the new root is visible. systemd-analyze counts the check as ' +
      'passed when either RootDirectory or RootImage points somewhere other than "/" (not applicable with ' +
      'DefaultDependencies=no). NixOS\'s confinement option uses it.',
    breakage:
      'Every binary, library, certificate and socket the service uses must be present or bound in; logging ' +
      'needs the journal sockets bound in.',
    man: 'systemd.exec.html#RootDirectory=',
    examples: { weak: 'RootDirectory = "/";', strong: 'RootDirectory = "/run/myservice/root";' },
  },
  {
    name: 'RootImage',
    kind: 'string',
    strictness: { kind: 'none' },
    default: '',
    since: 233,
    summary: 'Runs the service with its root filesystem taken from a disk image.',
    rationale:
      'Like RootDirectory but from a (possibly verity-protected) image, so the service\'s whole userspace ' +
      'is self-contained. Counts for the same systemd-analyze check. With a device policy it adds loop ' +
      'device access to DeviceAllow.',
    breakage: 'The image must contain everything the service needs; host files are only visible through binds.',
    man: 'systemd.exec.html#RootImage=',
    examples: { weak: 'RootImage = "";', strong: 'RootImage = "/var/lib/machines/myservice.raw";' },
  },
  {
    name: 'RootDirectoryStartOnly',
    kind: 'bool',
    strictness: { kind: 'false-stricter' },
    default: 'no',
    since: 1,
    summary: 'When yes, only the main ExecStart command runs inside RootDirectory.',
    rationale:
      'Pre/post, reload and stop commands then run in the host root, outside the confinement. Leaving it at ' +
      'no keeps every command of the unit inside the new root.',
    breakage: 'With no, helper commands (ExecStartPre scripts and their tools) must exist inside the root directory too.',
    man: 'systemd.service.html#RootDirectoryStartOnly=',
    examples: { weak: 'RootDirectoryStartOnly = true;', strong: 'RootDirectoryStartOnly = false;' },
  },
  {
    name: 'MountAPIVFS',
    kind: 'bool',
    strictness: { kind: 'false-stricter' },
    default: 'no',
    since: 233,
    summary: 'Mounts /proc, /sys, /dev and an empty /run inside a RootDirectory/RootImage.',
    rationale:
      'Inside a changed root it brings the kernel\'s API filesystems back, including the host\'s /dev unless ' +
      'PrivateDevices is on. Without a changed root it makes no visible difference. Many Protect* options ' +
      'imply it; NixOS\'s "chroot-only" confinement mode turns it off for the tightest chroot.',
    breakage: 'Without it most programs fail inside a chroot: no /dev/null, no /proc/self, no /sys.',
    man: 'systemd.exec.html#MountAPIVFS=',
    examples: { weak: 'MountAPIVFS = true;', strong: 'MountAPIVFS = false;' },
  },
  {
    name: 'MountFlags',
    kind: 'enum',
    values: ['shared', 'slave', 'private'],
    strictness: { kind: 'none' },
    default: 'shared',
    since: 1,
    summary: 'Sets the final mount propagation mode (shared, slave or private) of the service\'s mount namespace.',
    rationale:
      'Namespacing options already cut propagation from the service to the host; this only decides whether ' +
      'host mount changes still reach the service. "private" can keep removable media busy forever. A ' +
      'compatibility knob rather than a hardening one, so changes are reported as neutral.',
    breakage: 'With private, unmounts on the host are not seen and can leave filesystems pinned.',
    man: 'systemd.exec.html#MountFlags=',
    examples: { weak: 'MountFlags = "shared";', strong: 'MountFlags = "slave";' },
  },
  {
    name: 'RestrictFileSystems',
    kind: 'list',
    strictness: { kind: 'allow-set', universe: 'filesystems' },
    default: '',
    since: 250,
    summary: 'Allows (or with ~, denies) opening files on the listed filesystem types; @sets are supported.',
    rationale:
      'Blocks the kernel attack surface of exotic or privileged filesystems (bpffs, debugfs, tracefs, ' +
      'configfs and friends). It relies on the BPF LSM; on kernels without it the setting silently does ' +
      'nothing. Not scored by systemd-analyze.',
    breakage:
      'Opening anything on an unlisted type fails with EPERM, including /proc or /sys when @basic-api is ' +
      'left out and network mounts when @network is left out.',
    man: 'systemd.exec.html#RestrictFileSystems=',
    examples: {
      weak: 'RestrictFileSystems = [ "@basic-api" "@common-block" "@network" ];',
      strong: 'RestrictFileSystems = [ "@basic-api" "@common-block" ];',
    },
  },
  managedDirectory(
    'StateDirectory',
    235,
    '/var/lib',
    'Gives the service persistent storage owned by its user and writable even under ProtectSystem=strict; ' +
      'with DynamicUser it lives under /var/lib/private. Each directory is lasting state the service controls.',
    'Removing it takes away the writable state location; old data stays on disk but is no longer writable (or ' +
      'no longer reachable for a dynamic user).',
  ),
  managedDirectory(
    'CacheDirectory',
    235,
    '/var/cache',
    'Writable, persistent but disposable storage owned by the service\'s user; exempt from ProtectSystem ' +
      'and cleanable with "systemctl clean".',
    'Caches that can no longer be written make the service slower or fail if it treats write errors as fatal.',
  ),
  managedDirectory(
    'LogsDirectory',
    235,
    '/var/log',
    'A writable log directory owned by the service\'s user, exempt from ProtectSystem; the only part of ' +
      '/var/log the service can write.',
    'File-based logging fails when the directory is removed or renamed.',
  ),
  managedDirectory(
    'RuntimeDirectory',
    211,
    '/run',
    'A writable runtime directory (sockets, PID files) owned by the service\'s user and removed when it ' +
      'stops, so nothing stale survives a restart unless RuntimeDirectoryPreserve says otherwise.',
    'Sockets or PID files the service or its clients expect under /run/<name> go missing.',
  ),
  managedDirectory(
    'ConfigurationDirectory',
    235,
    '/etc',
    'Creates /etc/<name> for configuration. Unlike the other managed directories it is not handed to the ' +
      'service\'s user, so it gives a non-root service no write access of its own.',
    'Configuration the service expects to find under /etc/<name> is no longer guaranteed to exist.',
  ),
  directoryMode('StateDirectoryMode', 235, 'StateDirectory'),
  directoryMode('CacheDirectoryMode', 235, 'CacheDirectory'),
  directoryMode('LogsDirectoryMode', 235, 'LogsDirectory'),
  directoryMode('RuntimeDirectoryMode', 211, 'RuntimeDirectory'),
  directoryMode('ConfigurationDirectoryMode', 235, 'ConfigurationDirectory'),
]);
