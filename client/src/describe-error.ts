/**
 * Turns whatever a failed promise rejected with into one line for a message or the log. Requests
 * reject with ResponseError (an Error), but a thrown string or plain object must not become
 * "[object Object]" or crash the message.
 */

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
