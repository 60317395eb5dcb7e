/**
 * Credentials written into a URL (`http://user:key@host/…`) must never reach a stored event, a log
 * line, an HTTP response or the terminal: error texts from fetch, the AI SDK and MCP clients quote
 * the URL they failed on, and `Endpoint`/`Url` settings may carry a key that way. Shared by the
 * daemon (events, logs, responses) and the CLI (its printed output).
 */
export const URL_CREDENTIALS_REDACTED = "***REDACTED***";

// scheme "://" then the userinfo: everything up to the LAST "@" before the authority ends (at "/",
// "?", "#", whitespace, or a quote/bracket/backslash that ends the URL in JSON, HTML or prose).
// The greedy run backtracks to that last "@", as WHATWG URL parsing does, so an unencoded "@" in
// a password is covered too.
const USERINFO = /\b([a-z][a-z0-9+.-]{0,30}:\/\/)[^\s/?#"'`<>\\]*@/gi;

/** Replaces the `user:password@` part of every URL in `text` by `***REDACTED***@`. Never throws. */
export function stripUrlCredentials(text: string): string {
  if (!text.includes("@") || !text.includes("://")) return text;
  return text.replace(USERINFO, (_match, scheme: string) => `${scheme}${URL_CREDENTIALS_REDACTED}@`);
}
