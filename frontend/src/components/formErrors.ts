import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';

import { ApiError, errorMessage } from '../api/errors';

/**
 * Put a server error where it belongs: "field: message" answers (chalicelib/web/route.py) go under the field,
 * anything else is returned for the form's alert. Nested fields come dotted ("password_policy.min_length"), as
 * react-hook-form names them; a form with camelCase names matches the snake_case answer too. A form whose fields do
 * not mirror the server's names (lists, a field that stands for a whole object) passes `fields` as a function from
 * the server's name ("window.days.0", "pre_hooks.3") to its own, or undefined for the alert.
 */
export function applyServerError<T extends FieldValues>(
  error: unknown, setError: UseFormSetError<T>, fields: readonly Path<T>[] | ((serverField: string) => Path<T> | undefined),
): string | null {
  if (error instanceof ApiError && error.status === 400) {
    const match = /^([\w.]+): (.+)$/.exec(error.message);
    const resolve = typeof fields === 'function' ? fields : (name: string) => fields.find((field) => field === name || field === camel(name));
    const field = match ? resolve(match[1] ?? '') : undefined;
    if (match?.[2] && field) {
      setError(field, { type: 'server', message: match[2] }, { shouldFocus: true });
      return null;
    }
  }
  return errorMessage(error);
}

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
