/** Thrown at start-up; the message names every bad variable and never echoes a value. */
export class ConfigError extends Error {
  constructor(
    readonly variables: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
