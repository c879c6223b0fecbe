// FakeMethodError: thrown by a fake gateway method handler; the fake answers `ok:false` with its
// error object verbatim (code, message, details…).
import type { JsonObject } from './fake-gateway-fixtures.ts';

export class FakeMethodError extends Error {
  readonly error: JsonObject;
  constructor(error: JsonObject) {
    super(typeof error.message === 'string' ? error.message : 'fake method error');
    this.error = error;
  }
}
