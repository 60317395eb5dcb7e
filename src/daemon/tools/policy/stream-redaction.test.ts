import assert from "node:assert/strict";
import { test } from "node:test";
import { createSecretRedactor } from "./redaction.ts";
import { createStreamRedactor } from "./stream-redaction.ts";

const KEY = "nc-test-Q7w9Zk2Lp4Xv8Rb6";
const SPACED = "correct horse battery staple";
const redactor = createSecretRedactor([KEY, SPACED]);

/** Streams `pieces` and returns what was sent. */
function stream(pieces: string[]): string {
  const s = createStreamRedactor(() => redactor);
  return pieces.map((piece) => s.push(piece)).join("");
}

/** Every way to cut `text` into two and three pieces (three: cuts 7 apart, to stay quick). */
function splits(text: string): string[][] {
  const out: string[][] = [];
  for (let a = 1; a < text.length; a++) {
    out.push([text.slice(0, a), text.slice(a)]);
    for (let b = a + 1; b < text.length; b += 7)
      out.push([text.slice(0, a), text.slice(a, b), text.slice(b)]);
  }
  return out;
}

const SECRETS = [
  { text: `The key is ${KEY}, keep it.`, leaks: ["Q7w9", "Zk2L", "Xv8Rb6"] },
  { text: `the phrase ${SPACED} ends here`, leaks: ["horse", "battery", "staple"] },
  { text: "curl -H 'Authorization: Bearer abcDEF123456789xyz' http://x", leaks: ["abcDEF", "6789xyz"] },
  { text: "use sk-or-v1-0123456789abcdefABCDEF now", leaks: ["0123456789", "abcdefABCDEF"] },
  { text: "export API_TOKEN=hunter2hunter2 && run", leaks: ["hunter2"] },
  // A name only config's isSecretName calls a credential (the redactor has no list of its own).
  { text: "set x=SESSION_COOKIE=crumbly42 && run", leaks: ["crumbly"] },
  { text: 'export DB_PASSWORD="two words" && run', leaks: ["two", "words"] },
  { text: 'config {"password": "two words here", "x": 1}', leaks: ["two words", "words here"] },
  {
    text: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nq1w2e3r4\n-----END RSA PRIVATE KEY-----\ndone",
    leaks: ["MIIEow", "q1w2e3r4"],
  },
];

test("a secret split across pieces at any point is never sent, and what is sent is a prefix of the redacted whole", () => {
  for (const { text, leaks } of SECRETS) {
    const whole = redactor.text(text);
    for (const leak of leaks) assert.ok(!whole.includes(leak), `the whole redaction hides ${leak}`);
    for (const pieces of splits(text)) {
      const sent = stream(pieces);
      for (const leak of leaks) assert.ok(!sent.includes(leak), `${JSON.stringify(pieces)} sent ${sent}`);
      assert.ok(whole.startsWith(sent), `${JSON.stringify(pieces)}: ${JSON.stringify(sent)} vs ${whole}`);
    }
  }
});

test("text without secrets flows at once, word by word and even one word at a time", () => {
  assert.equal(stream(["answer"]), "answer");
  assert.equal(stream(["partial"]), "partial");
  const words = "Disk usage is at 42% on / and the token count is fine.".split(/(?<= )/);
  const s = createStreamRedactor(() => redactor);
  for (const word of words) assert.equal(s.push(word), word);
});

test("a long answer keeps working with a key at its end, split in the middle", () => {
  const prefix = "Line of ordinary text about disks and services.\n".repeat(400);
  const text = `${prefix}Finally the key: ${KEY} — done.`;
  const cut = text.indexOf(KEY) + 9;
  const pieces = [...(prefix.match(/[\s\S]{1,37}/g) ?? []), text.slice(prefix.length, cut), text.slice(cut)];
  const sent = stream(pieces);
  assert.ok(!sent.includes("Zk2L"));
  assert.ok(redactor.text(text).startsWith(sent));
  assert.ok(sent.length > prefix.length, "the ordinary text was sent");
});

test("a new secret value (a webhook route added) applies from the next piece", () => {
  let current = createSecretRedactor([]);
  const s = createStreamRedactor(() => current);
  assert.equal(s.push("first "), "first ");
  current = createSecretRedactor(["whsec-1234567890abcdef"]);
  assert.equal(s.push("then whsec-1234567890abcdef "), "then ***REDACTED*** ");
});

test("random mixes of secret shapes cut at random points: nothing leaks, what is sent is always a prefix", () => {
  const keys = createSecretRedactor(["nk-AbCdEf123456", "pass phrase with spaces", "abcdef"]);
  const parts = [
    "hello ",
    "world. ",
    "\n",
    "token: ",
    "API_TOKEN=",
    "Bearer ",
    "sk-or-v1-0123456789abcdefXYZ",
    " ",
    "nk-AbCdEf123456",
    "pass phrase with spaces",
    "abcdef",
    '"password": "',
    "x y z",
    '"',
    "eyJhbGciOi.eyJzdWIiOi.sig",
    "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
    "http://u:pw@h/x ",
    "ghp_abcdefghijklmnopqrstuvwxyz ",
    "s",
    "k",
    "-",
    "ok, ",
  ];
  const leaks = [
    "AbCdEf1234",
    "phrase with",
    "0123456789abcdef",
    "abcdefghijklmnop",
    "AAAA",
    "pw@",
    "hbGciOi",
  ];
  let seed = 42; // deterministic: a failure reproduces
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 1500; round++) {
    let text = "";
    for (let i = 3 + random(12); i > 0; i--) text += parts[random(parts.length)];
    const s = createStreamRedactor(() => keys);
    let sent = "";
    for (let at = 0; at < text.length; ) {
      const size = 1 + random(8);
      sent += s.push(text.slice(at, at + size));
      at += size;
    }
    const whole = keys.text(text);
    for (const leak of leaks) {
      if (!whole.includes(leak))
        assert.ok(!sent.includes(leak), `${JSON.stringify(text)} sent ${JSON.stringify(sent)}`);
    }
    assert.ok(
      whole.startsWith(sent),
      `${JSON.stringify(text)}: ${JSON.stringify(sent)} vs ${JSON.stringify(whole)}`,
    );
  }
});
