/** Errors that carry their HTTP meaning, so routes can answer without knowing the domain. */
export class ErxError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class NotFound extends ErxError {
  constructor(message: string, field?: string) {
    super(404, message, field);
  }
}

export class Conflict extends ErxError {
  constructor(message: string, field?: string) {
    super(409, message, field);
  }
}

export class BadInput extends ErxError {
  constructor(message: string, field?: string) {
    super(400, message, field);
  }
}
