// The logging surface services depend on (pino satisfies it); tests pass silentLogger.
export type LogFn = { (obj: object, msg?: string): void; (msg: string): void };
export type Logger = { debug: LogFn; info: LogFn; warn: LogFn; error: LogFn; child(bindings: object): Logger };

const noop = () => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };
