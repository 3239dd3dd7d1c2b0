/** HTTP errors with the API's error codes: `{ "error": { "code", "message" } }` (see app.ts's error handler). */
export interface HttpError extends Error {
  statusCode: number;
  code: string;
}

export function httpError(statusCode: number, code: string, message: string): HttpError {
  return Object.assign(new Error(message), { statusCode, code });
}
