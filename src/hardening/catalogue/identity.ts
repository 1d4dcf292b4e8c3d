/**
 * Identity: which user and groups a service runs as, whether it gets a user namespace, and how
 * secrets (credentials) are handed to it.
 */
import { defineFamily } from './scored-fields.js';

export const IDENTITY = defineFamily('identity', [
  {
    name: 'User',
    kind: 'string',
    strictness: { kind: 'user' },
    default: '',
    since: 1,
    summary: 'Runs the service under the named user (or numeric UID) instead of root.',
    rationale:
      'Root can read and change almost everything, so a dedicated unprivileged account is the single ' +
      'largest reduction in what a compromised service can reach. Unset, empty, "root" and "0" all mean ' +
      'root. systemd-analyze scores "nobody" nearly as badly as root, because unrelated software shares ' +
      'that account and its files.',
    breakage:
      'The account must exist and own whatever the service writes. Daemons that bind ports below 1024, ' +
      'change file ownership or drop privileges on their own need capabilities (AmbientCapabilities) or ' +
      'keep running as root.',
    man: 'systemd.exec.html#User=',
    examples: { weak: 'User = "root";', strong: 'User = "myservice";' },
  },
  {
    name: 'Group',
    kind: 'string',
    strictness: { kind: 'none' },
    default: '',
    since: 1,
    summary: "Sets the service's primary group; without it the user's default group is used.",
    rationale:
      'The group decides which group-readable files and sockets the service can open and which group ' +
      'owns what it creates. systemd-analyze ignores it, but a broad group (users, wheel) quietly widens ' +
      'access, so a change is worth a look.',
    breakage: 'Files or sockets the service reaches only through group permissions become inaccessible.',
    man: 'systemd.exec.html#Group=',
    examples: { weak: 'Group = "users";', strong: 'Group = "myservice";' },
  },
  {
    name: 'DynamicUser',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 232,
    summary: 'Allocates a transient user and group for the service each time it starts.',
    rationale:
      'The UID exists only while the service runs, so nothing outside its managed directories stays owned ' +
      'by it. It also switches on a bundle of protections, several of which cannot be turned off again: ' +
      'ProtectSystem=strict, ProtectHome=read-only (when unset), a private /tmp, RemoveIPC, NoNewPrivileges ' +
      'and RestrictSUIDSGID. ' +
      'systemd-analyze counts it as a non-root identity unless User= names root.',
    breakage:
      'Persistent data must move to StateDirectory/CacheDirectory/LogsDirectory. Software that needs a ' +
      'stable UID breaks: files owned by name elsewhere, NFS exports, D-Bus name ownership policies, setuid ' +
      'helpers, and sockets shared with other accounts.',
    man: 'systemd.exec.html#DynamicUser=',
    examples: { weak: 'DynamicUser = false;', strong: 'DynamicUser = true;' },
  },
  {
    name: 'SupplementaryGroups',
    kind: 'list',
    strictness: { kind: 'allow-set' },
    default: '',
    since: 1,
    summary: 'Adds extra groups to the service on top of those its user already has.',
    rationale:
      'Every additional group is a grant: access to the device nodes, sockets and files that group owns. ' +
      'For non-root services systemd-analyze flags any supplementary group at all.',
    breakage:
      'Dropping a group cuts off what it guards, e.g. video/render for GPUs, dialout for serial ports, ' +
      'a database socket group, or a shared data directory.',
    man: 'systemd.exec.html#SupplementaryGroups=',
    examples: { weak: 'SupplementaryGroups = [ "wheel" "video" ];', strong: 'SupplementaryGroups = [ "video" ];' },
  },
  {
    name: 'PAMName',
    kind: 'string',
    strictness: { kind: 'none' },
    default: '',
    since: 1,
    summary: 'Opens a PAM session under the given PAM service name before starting the process.',
    rationale:
      'The PAM stack runs with the manager\'s privileges and can set limits, environment, keyrings and a ' +
      'logind session, and a helper process stays alive next to the service. The PAM configuration ' +
      'therefore becomes part of what decides the sandbox; it is not scored by systemd-analyze.',
    breakage:
      'Removing it drops whatever the PAM modules provided: pam_limits limits, pam_env variables, a logind ' +
      'session and its runtime directory, kernel keyrings set up by PAM.',
    man: 'systemd.exec.html#PAMName=',
    examples: { weak: 'PAMName = "login";', strong: 'PAMName = "";' },
  },
  {
    name: 'PrivateUsers',
    kind: 'enum',
    values: ['no', 'identity', 'self'],
    valueSince: { identity: 257, self: 257 },
    boolValues: { yes: 'self', no: 'no' },
    strictness: { kind: 'order', order: ['no', 'identity', 'self'] },
    default: 'no',
    since: 232,
    summary: 'Runs the service in its own user namespace with a minimal UID/GID mapping.',
    rationale:
      'With yes (spelled "self" in newer systemd) only root and the unit\'s own user and group are mapped; ' +
      'every other owner shows up as nobody, and capabilities held inside the namespace have no power over ' +
      'host resources. "identity" (newer systemd) maps the first 65536 IDs to themselves: capabilities are ' +
      'still confined but UIDs are not hidden, so it ranks between no and self. systemd-analyze accepts all ' +
      'three non-"no" spellings.',
    breakage:
      'Services that need real ownership of other users\' files, chown to other users, or use capabilities ' +
      'against host objects break. Notably CAP_NET_BIND_SERVICE no longer lets the service bind ports below ' +
      '1024 on the host network, and CAP_NET_ADMIN/CAP_SYS_ADMIN lose their effect on the host.',
    man: 'systemd.exec.html#PrivateUsers=',
    examples: { weak: 'PrivateUsers = false;', strong: 'PrivateUsers = true;' },
  },
  {
    name: 'LoadCredential',
    kind: 'entries',
    strictness: { kind: 'none' },
    default: '',
    since: 247,
    summary: 'Copies a file (or a socket\'s reply) into the service\'s private credentials directory as ID:PATH.',
    rationale:
      'A sandboxed or dynamic-user service can receive a secret without being allowed to read the place ' +
      'the secret is stored; the copy is read-only and visible only to this unit. Trust moves from file ' +
      'permissions to the service manager, which is why a change of source path deserves review.',
    breakage:
      'The service has to read $CREDENTIALS_DIRECTORY/<id> instead of the original path; configuration that ' +
      'still points at the old location fails.',
    man: 'systemd.exec.html#LoadCredential=ID:PATH',
    examples: {
      weak: 'LoadCredential = [ "token:/etc/myservice/token" ];',
      strong: 'LoadCredential = [ "token:/run/keys/myservice-token" ];',
    },
  },
  {
    name: 'LoadCredentialEncrypted',
    kind: 'entries',
    strictness: { kind: 'none' },
    default: '',
    since: 250,
    summary: 'Like LoadCredential, but the file is a systemd-creds blob that is decrypted at start.',
    rationale:
      'The secret sits encrypted on disk (bound to the host key and/or the TPM) and only the service sees ' +
      'the plaintext copy. With a device policy in effect it adds /dev/tpmrm0 to the allowed devices.',
    breakage:
      'The blob must be encrypted for this host (and for the system, not a user manager); re-encrypting or ' +
      'moving to another machine makes decryption fail and the unit with it.',
    man: 'systemd.exec.html#LoadCredentialEncrypted=ID:PATH',
    examples: {
      weak: 'LoadCredentialEncrypted = [ "token:/etc/credstore.encrypted/old-token" ];',
      strong: 'LoadCredentialEncrypted = [ "token:/etc/credstore.encrypted/myservice-token" ];',
    },
  },
  {
    name: 'SetCredential',
    kind: 'entries',
    strictness: { kind: 'none' },
    default: '',
    since: 247,
    summary: 'Provides a credential with a literal value written in the unit as ID:VALUE.',
    rationale:
      'The value is part of the unit and can be read by unprivileged clients over the bus, so it is only fit ' +
      'for non-secret data such as names or public keys. Loaded credentials with the same ID take priority. ' +
      'Values may contain spaces, so one list element is one credential.',
    breakage: 'Changing or removing it changes the fallback value the service sees when nothing is loaded.',
    man: 'systemd.exec.html#SetCredential=ID:VALUE',
    examples: {
      weak: 'SetCredential = [ "api-url:http://127.0.0.1:8080" ];',
      strong: 'SetCredential = [ "api-url:https://127.0.0.1:8443" ];',
    },
  },
  {
    name: 'SetCredentialEncrypted',
    kind: 'entries',
    strictness: { kind: 'none' },
    default: '',
    since: 250,
    summary: 'Embeds an encrypted credential blob directly in the unit as ID:BLOB.',
    rationale:
      'Lets a confidential value travel inside the unit (and the Nix store) because only the target host can ' +
      'decrypt it; the plaintext is exposed only to the service.',
    breakage: 'The blob must have been encrypted for the host that runs the unit, or the unit fails to start.',
    man: 'systemd.exec.html#SetCredentialEncrypted=ID:VALUE',
    examples: {
      weak: 'SetCredentialEncrypted = [ "token:k6iUCUh0RJCQyvL8k8q1UyAAAAABAAAADAAAA" ];',
      strong: 'SetCredentialEncrypted = [ "token:Whxqht+dQJax1aZeCGLxmiAAAAABAAAADAAAA" ];',
    },
  },
  {
    name: 'ImportCredential',
    kind: 'entries',
    strictness: { kind: 'none' },
    default: '',
    since: 254,
    summary: 'Passes on credentials the service manager itself received, selected by name or trailing glob.',
    rationale:
      'Pulls credentials from the system credential stores (/etc/credstore, /run/credstore and their ' +
      'encrypted variants, or those handed in by a VM or container host). A broad glob hands the service ' +
      'more secrets than it needs.',
    breakage: 'Narrowing the glob withholds credentials the service may expect to find.',
    man: 'systemd.exec.html#ImportCredential=GLOB',
    examples: { weak: 'ImportCredential = [ "myservice.*" ];', strong: 'ImportCredential = [ "myservice.token" ];' },
  },
]);
