/** The signed-out pages and the redirects between them and the app. */
const PUBLIC_PATHS = ['/login', '/setup', '/signup'];

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.some((path) => pathname === path || pathname.startsWith(`${path}/`));
}

/** The login URL that brings the user back to `path` afterwards. */
export function loginPath(path: string): string {
  return path && path !== '/' && !isPublicPath(path.split('?')[0] ?? '') ? `/login?next=${encodeURIComponent(path)}` : '/login';
}

/** Where to go after signing in: `next` when it is a path of this app, else the dashboard (no open redirects). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return isPublicPath(next.split('?')[0] ?? '') ? '/' : next;
}
