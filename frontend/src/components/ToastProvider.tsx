/**
 * Toasts: short messages that confirm an action or report a failure. Each is role="status" inside a polite live region,
 * stays 5 s (errors 8 s) unless hovered or focused, and can be dismissed.
 */
import { Notification, Stack } from '@mantine/core';
import { useCallback, useMemo, useRef, useState, type ReactNode } from 'react';

import { ToastContext, type ToastInput, type ToastTone } from './useToast';

interface Toast extends ToastInput {
  id: number;
}

const COLOURS: Record<ToastTone, string> = { success: 'teal', error: 'red', info: 'blue' };

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((current) => current.filter((toast) => toast.id !== id));
  }, []);

  const schedule = useCallback((toast: Toast) => {
    const duration = toast.duration ?? (toast.tone === 'error' ? 8000 : 5000);
    if (duration > 0) timers.current.set(toast.id, setTimeout(() => dismiss(toast.id), duration));
  }, [dismiss]);

  const show = useCallback((input: ToastInput) => {
    const toast = { ...input, id: nextId.current++ };
    setToasts((current) => [...current.slice(-4), toast]);
    schedule(toast);
    return toast.id;
  }, [schedule]);

  const pause = (id: number) => {
    clearTimeout(timers.current.get(id));
  };

  const value = useMemo(() => ({ show, dismiss }), [show, dismiss]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <Stack
        gap="xs"
        pos="fixed"
        bottom={16}
        right={16}
        w="min(360px, calc(100vw - 32px))"
        style={{ zIndex: 1000 }}
        aria-live="polite"
        data-testid="toasts"
      >
        {toasts.map((toast) => (
          <Notification
            key={toast.id}
            role="status"
            // The persistent stack announces additions; "off" here avoids a second announcement (as Radix Toast does).
            aria-live="off"
            title={toast.title}
            color={COLOURS[toast.tone ?? 'info']}
            withBorder
            closeButtonProps={{ 'aria-label': 'Dismiss notification' }}
            onClose={() => dismiss(toast.id)}
            onMouseEnter={() => pause(toast.id)}
            onMouseLeave={() => schedule(toast)}
            onFocus={() => pause(toast.id)}
            onBlur={() => schedule(toast)}
          >
            {toast.message}
          </Notification>
        ))}
      </Stack>
    </ToastContext.Provider>
  );
}
