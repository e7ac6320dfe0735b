/**
 * The one way the web app talks to the API (`/api/v1`).
 *
 * - Cookies carry the session (`credentials: 'include'`); writes echo the readable `csrf_token` cookie as `X-CSRF-Token`.
 * - The access token lives an hour: it is refreshed shortly before it expires, and a 401 that says it expired gets one
 *   refresh (`POST /auth/refresh`, rotating the refresh token) and one retry, so the user keeps their place.
 * - Refresh tokens are single-use (a reused one ends the session), so refreshes are single-flight in a tab and
 *   serialised across tabs with the Web Locks API; a tab that finds the CSRF cookie already rotated skips its own.
 * - A session that really ended (refresh refused, or revoked/idle) calls the `onSessionEnded` listeners once.
 * - Logging out first stops the session's requests (those in flight are aborted, new ones refused here) until the
 *   logout has answered, so a page still polling never sends the session being revoked and meets a 401.
 */
import { CSRF_COOKIE, CSRF_HEADER, clearCookie, readCookie } from './cookies';
import { ApiError, networkError, toApiError } from './errors';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryParams = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: Method;
  /** Sent as JSON. */
  body?: unknown;
  /** Appended to the URL; null and undefined values are left out. */
  query?: QueryParams;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /**
   * false for the sign-in routes: a 401 there is an answer (a wrong password), not an ended session, so it
   * neither refreshes nor sends the user to the login page.
   */
  session?: boolean;
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
  storage?: StorageLike | null;
  locks?: LockManager | null;
}

interface TokenTimes {
  expires_in?: unknown;
}

export const ACCESS_EXPIRY_KEY = 'patchmon.accessExpiresAt';
/** Refresh this long before the access token expires, so requests do not meet a 401 in normal use. */
export const REFRESH_MARGIN_MS = 60_000;
const ENDED_CODES = new Set(['session_revoked', 'session_inactive']);
/** 401s that answer the request (a wrong current password when changing it or turning 2FA off), not an expired token. */
const ANSWER_CODES = new Set(['invalid_password']);
const UNSAFE_METHODS = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOCK_NAME = 'patchmon-auth-refresh';

function defaultStorage(): StorageLike | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null; // storage disabled: refresh only when the API says the token expired
  }
}

export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = (options.baseUrl ?? '/api/v1').replace(/\/$/, '');
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => window.fetch(input, init));
  const now = options.now ?? (() => Date.now());
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const locks = options.locks === undefined ? (typeof navigator !== 'undefined' ? navigator.locks : undefined) : options.locks;
  const listeners = new Set<() => void>();
  let refreshing: Promise<boolean> | null = null;
  let ended = false;
  let signingOut = false;
  const inFlight = new Set<AbortController>();

  const csrf = (): string | undefined => readCookie(CSRF_COOKIE);

  function url(path: string, query?: QueryParams): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== null && value !== undefined) params.append(key, String(value));
    }
    const search = params.toString();
    return `${baseUrl}${path.startsWith('/') ? path : `/${path}`}${search ? `?${search}` : ''}`;
  }

  function accessExpiresAt(): number | undefined {
    const value = Number(storage?.getItem(ACCESS_EXPIRY_KEY));
    return Number.isFinite(value) && value > 0 ? value : undefined;
  }

  function rememberTokenTimes(body: TokenTimes | undefined): void {
    const seconds = Number(body?.expires_in);
    // Relative to our clock, so a skewed client clock does not matter.
    if (Number.isFinite(seconds) && seconds > 0) storage?.setItem(ACCESS_EXPIRY_KEY, String(now() + seconds * 1000));
  }

  function endSession(): void {
    storage?.removeItem(ACCESS_EXPIRY_KEY);
    clearCookie(CSRF_COOKIE);
    if (ended) return;
    ended = true;
    for (const listener of listeners) listener();
  }

  async function post(path: string, headers: Record<string, string>, body: string): Promise<Response> {
    try {
      return await fetchImpl(url(path), { method: 'POST', credentials: 'include', headers, body });
    } catch {
      throw networkError();
    }
  }

  /** true: refreshed (by us or another tab); false: the session is over. Network and server errors are thrown. */
  async function refreshNow(seenCsrf: string | undefined): Promise<boolean> {
    const current = csrf();
    if (!current) return false;
    if (seenCsrf !== undefined && current !== seenCsrf) return true; // another request or tab rotated it meanwhile
    const response = await post('/auth/refresh', { 'Content-Type': 'application/json', Accept: 'application/json', [CSRF_HEADER]: current }, '{}');
    if (response.status === 401 || response.status === 403) return false;
    if (!response.ok) throw await toApiError(response);
    rememberTokenTimes((await response.json().catch(() => ({}))) as TokenTimes);
    return true;
  }

  /** Refresh the access token once, however many requests ask at the same time. */
  function refresh(seenCsrf: string | undefined = csrf()): Promise<boolean> {
    if (!refreshing) {
      const run = locks ? locks.request(LOCK_NAME, () => refreshNow(seenCsrf)).then((granted) => granted) : refreshNow(seenCsrf);
      refreshing = run.finally(() => {
        refreshing = null;
      });
    }
    return refreshing;
  }

  function sessionEndedError(): ApiError {
    return new ApiError(401, 'session_ended', 'Your session has ended. Please sign in again.');
  }

  async function refreshIfExpiring(): Promise<void> {
    const expiresAt = accessExpiresAt();
    const seen = csrf();
    if (expiresAt === undefined || !seen || expiresAt - now() > REFRESH_MARGIN_MS) return;
    if (!(await refresh(seen))) {
      endSession();
      throw sessionEndedError();
    }
  }

  async function send(path: string, init: RequestOptions): Promise<{ response: Response; csrfSent: string | undefined }> {
    const session = init.session ?? true;
    if (session && signingOut) throw sessionEndedError();
    const method = init.method ?? 'GET';
    const headers: Record<string, string> = { Accept: 'application/json', ...init.headers };
    let body: string | undefined;
    if (init.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    const csrfSent = csrf();
    if (UNSAFE_METHODS.has(method) && csrfSent) headers[CSRF_HEADER] = csrfSent;
    const controller = new AbortController();
    const callerAborted = () => controller.abort(init.signal?.reason);
    if (init.signal?.aborted) callerAborted();
    init.signal?.addEventListener('abort', callerAborted);
    if (session) inFlight.add(controller);
    try {
      const response = await fetchImpl(url(path, init.query), { method, headers, body, credentials: 'include', signal: controller.signal });
      return { response, csrfSent };
    } catch (error) {
      if (session && signingOut) throw sessionEndedError();
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw networkError();
    } finally {
      inFlight.delete(controller);
      init.signal?.removeEventListener('abort', callerAborted);
    }
  }

  async function parse<T>(response: Response): Promise<T> {
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (!text) return undefined as T;
    return (response.headers.get('Content-Type') ?? '').includes('json') ? (JSON.parse(text) as T) : (text as T);
  }

  async function request<T>(path: string, init: RequestOptions = {}): Promise<T> {
    const session = init.session ?? true;
    if (session && signingOut) throw sessionEndedError(); // not even a refresh
    if (session) await refreshIfExpiring();
    let { response, csrfSent } = await send(path, init);
    if (session && response.status === 401) {
      const error = await toApiError(response);
      if (ANSWER_CODES.has(error.code)) throw error;
      if (ENDED_CODES.has(error.code) || !(await refresh(csrfSent))) {
        endSession();
        throw error;
      }
      ({ response, csrfSent } = await send(path, init));
      if (response.status === 401) {
        endSession();
        throw await toApiError(response);
      }
    } else if (response.status === 403 && csrfSent !== csrf() && UNSAFE_METHODS.has(init.method ?? 'GET')) {
      // The CSRF cookie was rotated by a refresh while this write was in flight: send it again with the new one.
      const error = await toApiError(response);
      if (error.code !== 'csrf_failed') throw error;
      ({ response } = await send(path, init));
    }
    if (!response.ok) throw await toApiError(response);
    return parse<T>(response);
  }

  return {
    request,
    get: <T>(path: string, init: Omit<RequestOptions, 'method' | 'body'> = {}) => request<T>(path, { ...init, method: 'GET' }),
    post: <T>(path: string, body?: unknown, init: Omit<RequestOptions, 'method' | 'body'> = {}) =>
      request<T>(path, { ...init, method: 'POST', body: body ?? {} }),
    put: <T>(path: string, body?: unknown, init: Omit<RequestOptions, 'method' | 'body'> = {}) =>
      request<T>(path, { ...init, method: 'PUT', body: body ?? {} }),
    patch: <T>(path: string, body?: unknown, init: Omit<RequestOptions, 'method' | 'body'> = {}) =>
      request<T>(path, { ...init, method: 'PATCH', body: body ?? {} }),
    delete: <T>(path: string, init: Omit<RequestOptions, 'method' | 'body'> = {}) => request<T>(path, { ...init, method: 'DELETE' }),
    refresh,
    url,
    /** Whether this browser holds a session (the readable CSRF cookie lives as long as the refresh token). */
    hasSession: (): boolean => Boolean(csrf()),
    /** Record a sign-in's token lifetime (login, 2FA, setup, sign-up answers). */
    signedIn(body: TokenTimes | undefined): void {
      ended = false;
      signingOut = false;
      rememberTokenTimes(body);
    },
    /** Before logging out: abort the session's requests in flight and refuse new ones until `signedOut`. */
    signingOut(): void {
      signingOut = true;
      for (const controller of inFlight) controller.abort();
      inFlight.clear();
    },
    /** Forget the session locally after logging out (the server clears its cookies). */
    signedOut(): void {
      storage?.removeItem(ACCESS_EXPIRY_KEY);
      clearCookie(CSRF_COOKIE);
      ended = true;
      signingOut = false;
    },
    /** Call `listener` when the session ends; returns the unsubscribe function. */
    onSessionEnded(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The app's client. Page code imports this (or the typed functions beside it), never `fetch`. */
export const api = createApiClient();
