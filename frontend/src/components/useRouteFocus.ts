import { useEffect, useRef, type RefObject } from 'react';
import { useLocation } from 'react-router';

/**
 * After a client-side navigation, move focus to the new page's <h1> (or the main region), as a full page load
 * would reset it: screen readers announce the new page and keyboard users start from its top. Not on first load.
 */
export function useRouteFocus(main: RefObject<HTMLElement | null>): void {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const target = main.current?.querySelector<HTMLElement>('[data-page-title]') ?? main.current;
    target?.focus({ preventScroll: false });
  }, [pathname, main]);
}
