/** Globs in the config are validated with picomatch's strict parser. */
import { globProblem, pathMatcher } from '../../src/policy/glob.js';

describe('globProblem', () => {
  it.each(['nixos/modules/services/**/*.nix', '**', '*.{nix,json}', 'a/[abc]/b', 'a/[!x]*', 'a/[]]', 'a\\[literal', 'a/@(b|c)/*', '!a/**', 'x/{a,{b,c}}'])(
    'accepts %s',
    (glob) => expect(globProblem(glob)).toBeUndefined(),
  );

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['a/[bc', /missing closing "\]"/],
    ['a/{b,c', /missing closing "}"/],
    ['a/{b,{c,d}', /missing closing "}"/],
    ['a/@(b|c', /missing closing "\)"/],
    ['a/b]', /unbalanced "\]"/],
    ['a/b}', /unbalanced "}"/],
    ['a/b)', /unbalanced "\)"/],
    ['/etc/**', /relative/],
    ['../other/**', /leave the repository/],
  ])('rejects %j', (glob, problem) => expect(globProblem(glob)).toMatch(problem));
});

describe('pathMatcher', () => {
  it('matches included paths that no ignore glob matches', () => {
    const match = pathMatcher(['nixos/modules/services/**/*.nix'], ['**/legacy-*.nix']);
    expect(match('nixos/modules/services/web-apps/pastebin.nix')).toBe(true);
    expect(match('nixos/modules/services/misc/legacy-thing.nix')).toBe(false);
    expect(match('pkgs/foo/default.nix')).toBe(false);
    expect(pathMatcher(['**/*.nix'])('.github/x.nix')).toBe(true);
    expect(pathMatcher([])('a.nix')).toBe(false);
  });
});
