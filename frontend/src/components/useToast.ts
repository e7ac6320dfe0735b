import { createContext, useContext, type ReactNode } from 'react';

export type ToastTone = 'success' | 'error' | 'info';

export interface ToastInput {
  message: ReactNode;
  title?: string;
  tone?: ToastTone;
  /** Milliseconds before it goes (default 5000, errors 8000); 0 keeps it until dismissed. */
  duration?: number;
}

interface ToastApi {
  show: (toast: ToastInput) => number;
  dismiss: (id: number) => void;
}

export const ToastContext = createContext<ToastApi | null>(null);

/** `const toast = useToast(); toast.show({ tone: 'success', message: 'Host added' })`. */
export function useToast(): ToastApi {
  const context = useContext(ToastContext);
  if (!context) throw new Error('useToast needs a <ToastProvider> above it');
  return context;
}
