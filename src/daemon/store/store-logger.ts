type LogMethod = (objOrMessage: object | string, message?: string) => void;

/** The logging the store needs; a pino logger fits, as does any object with these methods. */
export type StoreLogger = { info: LogMethod; warn: LogMethod; error: LogMethod };

export const silentLogger: StoreLogger = { info() {}, warn() {}, error() {} };
