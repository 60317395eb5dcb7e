import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { composeDispatcher, type ExtraTool, fromZodTool } from "./extra-tools.ts";
import { createToolDispatcher } from "./tool-dispatcher.ts";

const context = () => ({ sessionId: "s1", signal: new AbortController().signal, requestApproval: () => {} });

const base = createToolDispatcher({
  tools: [
    {
      definition: { name: "file_read", description: "base", parameters: { type: "object" } },
      execute: async () => "from base",
    },
  ],
});

const echo = fromZodTool({
  name: "echo",
  description: "Echo",
  parameters: z.object({ Text: z.string().min(1) }),
  execute: async (args: { Text: string }) => ({ content: `echo ${args.Text}`, isError: false }),
});

test("extras are offered after the base tools; a base name wins; arguments are validated case-insensitively", async () => {
  const shadow: ExtraTool = {
    definition: { name: "file_read", description: "extra", parameters: { type: "object" } },
    execute: async () => ({ content: "from extra", isError: false }),
  };
  const dispatcher = composeDispatcher({ base, extras: () => [echo, shadow] });
  assert.deepEqual(
    dispatcher.definitions().map((d) => [d.name, d.description]),
    [
      ["file_read", "base"],
      ["echo", "Echo"],
    ],
  );
  assert.deepEqual(dispatcher.definitions()[1]?.parameters.required, ["Text"]);
  assert.deepEqual(await dispatcher.dispatch({ id: "1", name: "file_read", arguments: {} }, context()), {
    result: "from base",
    isError: false,
  });
  assert.deepEqual(
    await dispatcher.dispatch({ id: "2", name: "echo", arguments: { text: "hi" } }, context()),
    {
      result: "echo hi",
      isError: false,
    },
  );
  const bad = await dispatcher.dispatch({ id: "3", name: "echo", arguments: { Text: "" } }, context());
  assert.equal(bad.isError, true);
  assert.match(bad.result, /Invalid arguments for echo: Text/);
});

test("an extra that throws or runs after cancel becomes an error result; extras are read on every call", async () => {
  let extras: ExtraTool[] = [];
  const boom: ExtraTool = {
    definition: { name: "boom", description: "", parameters: { type: "object" } },
    execute: async () => {
      throw new Error("kaput");
    },
  };
  const dispatcher = composeDispatcher({ base, extras: () => extras });
  const unknown = await dispatcher.dispatch({ id: "1", name: "boom", arguments: {} }, context());
  assert.match(unknown.result, /Unknown tool 'boom'/);
  extras = [boom];
  assert.deepEqual(await dispatcher.dispatch({ id: "2", name: "boom", arguments: {} }, context()), {
    result: "Tool 'boom' failed: kaput",
    isError: true,
  });
  const controller = new AbortController();
  controller.abort();
  const cancelled = await dispatcher.dispatch(
    { id: "3", name: "boom", arguments: {} },
    { ...context(), signal: controller.signal },
  );
  assert.equal(cancelled.isError, true);
  assert.match(cancelled.result, /cancelled/);
});

test("an extra's output goes through the base's redactor (configured secrets never reach the model)", async () => {
  const leaky: ExtraTool = {
    definition: { name: "recall_note", description: "leaks", parameters: { type: "object" } },
    execute: async () => ({ content: "the token is tok-123456789", isError: false }),
  };
  const redacting = {
    ...base,
    redactArguments: (text: string) => text.replaceAll("tok-123456789", "***REDACTED***"),
  };
  const dispatcher = composeDispatcher({ base: redacting, extras: () => [leaky] });
  const outcome = await dispatcher.dispatch({ id: "c1", name: "recall_note", arguments: {} }, context());
  assert.deepEqual(outcome, { result: "the token is ***REDACTED***", isError: false });
});
