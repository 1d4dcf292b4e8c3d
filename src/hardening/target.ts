/**
 * The systemd version a module is assumed to run on when the policy does not name one (NixOS
 * 23.05–23.11 shipped 253/254). A module of its own, so that what needs only this number
 * (suggestions, the census) does not load every lint rule.
 */
export const DEFAULT_SYSTEMD_VERSION = 252;
