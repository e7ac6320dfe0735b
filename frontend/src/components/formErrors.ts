import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';

import { ApiError, errorMessage } from '../api/errors';

/**
 * Put a server error where it belongs: "field: message" answers (chalicelib/web/route.py) go under the field,
 * anything else is returned for the form's alert. Nested fields come dotted ("password_policy.min_length"), as
 * react-hook-form names them; a form with camelCase names matches the snake_case answer too.
 */
export function applyServerError<T extends FieldValues>(error: unknown, setError: UseFormSetError<T>, fields: readonly Path<T>[]): string | null {
  if (error instanceof ApiError && error.status === 400) {
    const match = /^([\w.]+): (.+)$/.exec(error.message);
    const field = match ? fields.find((name) => name === match[1] || name === camel(match[1] ?? '')) : undefined;
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
