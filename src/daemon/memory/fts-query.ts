/** Common English words that carry no meaning for retrieval; questions are full of them. */
const STOPWORDS = new Set(
  (
    "a an and are as at be been but by can could did do does for from had has have how i if in is it " +
    "its me my of on or our should so that the their them then there these they this to was we were " +
    "what when where which who whom why will with would you your about into than too very just also " +
    "any all some not no yes use used using get got tell know remember recall please again"
  ).split(" "),
);

/** At most this many terms go into one query: enough for a question, bounded for latency. */
export const MAX_TERMS = 16;

/** The distinct meaningful words of `text`, lower-cased, stopwords dropped, in order of appearance. */
export function queryTerms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms: string[] = [];
  for (const word of words) {
    if (word.length < 2 && !/\d/.test(word)) continue;
    if (STOPWORDS.has(word) || terms.includes(word)) continue;
    terms.push(word);
    if (terms.length === MAX_TERMS) break;
  }
  return terms;
}

/**
 * An FTS5 MATCH expression for free text: each term quoted (so no user text is ever FTS syntax)
 * and OR-ed, letting bm25 rank items that share more and rarer terms first. Undefined when the
 * text has no meaningful term.
 */
export function ftsQuery(text: string): string | undefined {
  const terms = queryTerms(text);
  if (terms.length === 0) return undefined;
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(" OR ");
}
