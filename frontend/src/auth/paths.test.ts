import { describe, expect, it } from 'vitest';

import { loginPath, safeNext } from './paths';

describe('safeNext', () => {
  it('follows a path of this app', () => {
    expect(safeNext('/hosts?status=offline#top')).toBe('/hosts?status=offline#top');
  });

  it.each([null, '', 'https://evil.example', '//evil.example/x', '/\\evil.example', 'hosts', '/login', '/setup?x=1'])(
    'goes to the dashboard instead of %s',
    (next) => expect(safeNext(next)).toBe('/'),
  );
});

describe('loginPath', () => {
  it('remembers where the user was', () => {
    expect(loginPath('/hosts/h1?tab=packages')).toBe('/login?next=%2Fhosts%2Fh1%3Ftab%3Dpackages');
  });

  it('adds nothing for the dashboard or a signed-out page', () => {
    expect(loginPath('/')).toBe('/login');
    expect(loginPath('/login?next=/x')).toBe('/login');
  });
});
