/** Error catalogue. Every error a user can see carries a stable code and, for config, exit code 2. */

export type ErrorCode =
  | 'LOGRADAR_ERR_CONFIG'
  | 'LOGRADAR_ERR_USAGE'
  | 'LOGRADAR_ERR_STORE_VERSION'
  | 'LOGRADAR_ERR_STORE'
  | 'LOGRADAR_ERR_IO';

export class LogradarError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'LogradarError';
  }
}

/** A bad config file or flag: names the file, the key path and the reason; exits with 2. */
export class ConfigError extends LogradarError {
  constructor(
    readonly file: string,
    readonly keyPath: string,
    readonly reason: string,
  ) {
    super('LOGRADAR_ERR_CONFIG', `${file}: ${keyPath || '(root)'}: ${reason}`, 2);
    this.name = 'ConfigError';
  }
}

export class UsageError extends LogradarError {
  constructor(message: string) {
    super('LOGRADAR_ERR_USAGE', message, 2);
    this.name = 'UsageError';
  }
}
