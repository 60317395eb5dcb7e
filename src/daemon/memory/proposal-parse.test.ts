import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hasKeyLikeToken, looksLikeCredential, parseProposals } from "./proposal-parse.ts";

const fact = (title: string, content: string, tags: string[] = []) => ({ title, content, tags });

describe("memory proposal parsing", () => {
  test("a plain JSON array, and one inside a code fence with prose around it", () => {
    const plain = parseProposals(
      '[{"title":"Backup location","content":"Backups live on nas-02.","tags":["backup"," nas "]}]',
    );
    assert.deepEqual(plain, {
      facts: [fact("Backup location", "Backups live on nas-02.", ["backup", "nas"])],
      dropped: [],
    });
    const fenced = parseProposals(
      'Here you go:\n```json\n[\n  {"title": "Editor", "content": "The user edits with Helix."}\n]\n```\n',
    );
    assert.deepEqual(fenced.facts, [fact("Editor", "The user edits with Helix.")]);
    assert.equal(fenced.unparsable, undefined);
  });

  test("an empty array is no proposals and not an error", () => {
    assert.deepEqual(parseProposals("[]"), { facts: [], dropped: [] });
    assert.deepEqual(parseProposals("```\n[]\n```"), { facts: [], dropped: [] });
  });

  test("garbage, prose, an object or broken JSON give no proposals and a reason", () => {
    for (const raw of [
      "I think the user likes Helix.",
      '{"title":"x","content":"y"}',
      '[{"title": "x", "content": ]',
      "echo: Remember that the backups live on nas-02",
    ]) {
      const result = parseProposals(raw);
      assert.deepEqual(result.facts, [], raw);
      assert.ok(result.unparsable, `a reason for ${JSON.stringify(raw)}`);
    }
  });

  test("items of the wrong shape are dropped one by one; at most 3 are kept; long text is clipped", () => {
    const items = [
      { title: "", content: "no title" },
      "just a string",
      { title: "One", content: "First fact." },
      { title: "Two", content: "Second fact.", tags: "a, b" },
      { title: "Three", content: "x".repeat(9000), tags: [1, "ok"] },
      { title: "Four", content: "Fourth fact." },
    ];
    const result = parseProposals(JSON.stringify(items));
    assert.deepEqual(
      result.facts.map((f) => f.title),
      ["One", "Two", "Three"],
    );
    assert.deepEqual(result.facts[1]?.tags, ["a", "b"]);
    assert.deepEqual(result.facts[2]?.tags, ["ok"]);
    assert.equal(result.facts[2]?.content.length, 8000);
    assert.equal(result.dropped.length, 3);
    assert.match(result.dropped.join("\n"), /#0: .*#1: .*#5: more than 3/s);
  });

  test("proposals carrying credentials are dropped whole, and their text is not in the reasons", () => {
    const secrets = [
      fact("Deploy token", "Use GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 for deploys."),
      fact("OpenAI key", "The key is sk-proj-abcdefghijklmnopqrstuvwx."),
      fact("DB", "Server=db;Password=hunter22;"),
      fact("Vault root", "The vault root key is q8Zr4Lx2Vp9Nk7Tm3Ws6Yb1Hd5Jf0Gc."),
      fact("Header", "curl with Authorization: Basic dXNlcjpwYXNzd29yZA=="),
      fact("Innocent", "Nothing here", ["api_key=abc123xyz"]),
    ];
    const result = parseProposals(JSON.stringify([...secrets, fact("Ok", "Deploys run on Tuesdays.")]));
    assert.deepEqual(
      result.facts.map((f) => f.title),
      ["Ok"],
    );
    assert.equal(result.dropped.length, secrets.length);
    for (const reason of result.dropped) assert.match(reason, /^#\d: looks like a credential$/);
  });

  test("a configured secret value the patterns do not know is caught through the daemon's redactor", () => {
    const known = "lowercasevaultpassphrase";
    const reply = JSON.stringify([
      fact("Vault", `The vault passphrase is ${known}.`),
      fact("Ok", "Backups run at 3."),
    ]);
    assert.deepEqual(
      parseProposals(reply).facts.map((f) => f.title),
      ["Vault", "Ok"],
      "the pattern redactor alone does not know it",
    );
    const daemonRedactor = (text: string) => text.replaceAll(known, "***REDACTED***");
    assert.deepEqual(
      parseProposals(reply, daemonRedactor).facts.map((f) => f.title),
      ["Ok"],
    );
  });

  test("ordinary identifiers are not mistaken for keys", () => {
    for (const text of [
      "Commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it.",
      "Request id 123e4567-e89b-12d3-a456-426614174000.",
      "The handler is getUserAccountSettings2024Handler in src/accounts.",
      "Backups live on nas-02 under /volume1/backups/daily-2026.",
      "The user prefers API tokens to be stored in the vault, never in files.",
    ]) {
      assert.equal(hasKeyLikeToken(text), false, text);
      assert.equal(looksLikeCredential(fact("t", text)), false, text);
    }
    assert.equal(hasKeyLikeToken("xY7pQ2mN9vB4cL8kR1sT6wZ3"), true);
  });
});
