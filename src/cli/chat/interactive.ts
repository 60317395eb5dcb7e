import { emitKeypressEvents } from "node:readline";
import type { SessionEvent } from "../../protocol/events.ts";
import type { CliContext } from "../context.ts";
import { printError } from "../output.ts";
import { createSessionApi, type SessionApi } from "../session-api.ts";
import { sessionEventStream } from "../sse-client.ts";
import { type ApprovalPrompt, createApprovalQueue } from "./approvals.ts";
import { failureOf } from "./chat-failure.ts";
import { type Composer, createComposer, type Key } from "./composer.ts";
import { createEventRenderer, type Style, sanitize, styleFor } from "./render.ts";
import { createScreen, type Screen } from "./screen.ts";
import { openSession } from "./session-ref.ts";

export const PROMPT = "› ";
export const HINT =
  "Enter sends · end a line with \\ (or Alt+Enter) for a new line · Ctrl+C cancels a turn · Ctrl+D or a second Ctrl+C leaves";

export type InteractiveOptions = { resume?: string; firstMessage?: string };

/**
 * `netclaw chat` on a terminal. Output streams inline above a live input area; messages typed while
 * a turn runs are sent at once (the daemon queues and merges them). The event stream reconnects
 * with backoff and resumes after the last event seen. Exit 0 when the user leaves, 1 when the
 * daemon cannot be reached at start or refuses this device.
 */
export async function runInteractive(context: CliContext, options: InteractiveOptions): Promise<number> {
  const client = context.client();
  const api = createSessionApi(client);
  let opened: Awaited<ReturnType<typeof openSession>>;
  try {
    opened = await openSession(api, { resume: options.resume, channel: "chat", history: true });
  } catch (error) {
    const failure = failureOf(context, error);
    printError(`[FAIL] chat: ${failure.message}`);
    return failure.exitCode;
  }
  const style = styleFor(context.env);
  const sessionId = opened.session.sessionId;
  const screen = createScreen({
    write: (data) => process.stdout.write(data),
    columns: () => process.stdout.columns || 80,
  });
  const label = opened.session.name ?? opened.session.title ?? sessionId;
  screen.line(style.dim(`netclaw chat · ${label} (${opened.created ? "new session" : "resumed"})`));
  replayHistory({ recent: opened.recent, turns: opened.session.turnCount, screen, style });
  screen.line(style.dim(HINT));

  const chat = createChatLoop({
    api,
    screen,
    sessionId,
    token: client.token,
    lastEventId: opened.lastEventId,
    style,
  });
  if (options.firstMessage?.trim()) chat.submit(options.firstMessage.trim());
  return chat.done;
}

type ChatLoopOptions = {
  api: SessionApi;
  screen: Screen;
  sessionId: string;
  token?: string;
  lastEventId: number | undefined;
  /** ANSI colours, or plain text under NO_COLOR. */
  style: Style;
};

function createChatLoop(options: ChatLoopOptions) {
  const { api, screen, sessionId, style } = options;
  const composer: Composer = createComposer();
  const render = createEventRenderer({
    sink: { text: screen.text, line: screen.line, error: screen.line },
    mode: "tty",
    style,
    columns: () => process.stdout.columns || 80,
  });
  const controller = new AbortController();
  const ownMessages = new Set<string>();
  /** Texts sent whose `user_message` event has not been seen (it may beat the POST's answer). */
  const unseenTexts: string[] = [];
  /** Message ids a `turn_started` already took (also may beat the POST's answer). */
  const started = new Set<string>();
  /** Messages sent whose turn has not completed yet: while any remain, a turn is running. */
  const awaiting = new Set<string>();
  let turnRunning = false;
  let cancelRequested = false;
  let sending: Promise<unknown> = Promise.resolve();
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

  const approvals = createApprovalQueue({
    style,
    onChange: () => showBottom(),
    answer: (callId, decision) =>
      api.approve(sessionId, { callId, decision }).catch((error: Error) => {
        screen.line(style.red(`error: could not answer the approval: ${error.message}`));
      }),
  });

  function running(): boolean {
    return turnRunning || awaiting.size > 0;
  }

  function showBottom(): void {
    const approval: ApprovalPrompt | undefined = approvals.current();
    if (approval) screen.setBottom({ prompt: approval.prompt, text: "", cursor: 0 });
    else screen.setBottom({ prompt: PROMPT, text: composer.text, cursor: composer.cursor });
  }

  function leave(code: number): void {
    controller.abort();
    process.stdin.off("keypress", onKey);
    screen.close();
    process.stdout.write("\x1b[?2004l");
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
    finish(code);
  }

  function submit(text: string): void {
    screen.setBottom(undefined);
    screen.line(
      text
        .split("\n")
        .map((line, i) => `${i === 0 ? PROMPT : "  "}${line}`)
        .join("\n"),
    );
    showBottom();
    const key = crypto.randomUUID();
    const marker = `pending:${key}`;
    awaiting.add(marker);
    unseenTexts.push(text);
    cancelRequested = false;
    // one POST at a time keeps the order the user typed; the Idempotency-Key makes retries safe
    sending = sending.then(async () => {
      try {
        const sent = await api.send(sessionId, { text, key, attempts: 30, signal: controller.signal });
        ownMessages.add(sent.messageId);
        if (awaiting.delete(marker) && !sent.duplicate && !started.has(sent.messageId)) {
          awaiting.add(sent.messageId);
        }
      } catch (error) {
        awaiting.delete(marker);
        if (controller.signal.aborted) return;
        screen.line(style.red(`error: the message was not sent: ${(error as Error).message}`));
        if ((error as { status?: number }).status === 401) leave(1);
      }
    });
  }

  function interrupt(): void {
    if (running() && !cancelRequested) {
      cancelRequested = true;
      screen.line(style.dim("^C cancelling the turn… (Ctrl+C again leaves)"));
      api
        .cancel(sessionId)
        .catch((error: Error) => screen.line(style.red(`error: cancel failed: ${error.message}`)));
      return;
    }
    if (!running() && composer.text !== "") {
      composer.clear();
      showBottom();
      return;
    }
    leave(0);
  }

  function onKey(chunk: string | undefined, key: Key): void {
    if (approvals.current()) {
      if (key.ctrl && key.name === "c") interrupt();
      else approvals.key(chunk ?? "");
      return;
    }
    const action = composer.key(chunk, key ?? {});
    if (action === "interrupt") interrupt();
    else if (action === "eof") leave(0);
    else if (action === "submit") submit(composer.take());
    else if (action === "changed") showBottom();
  }

  function onEvent(event: SessionEvent): void {
    switch (event.type) {
      case "user_message":
        if (ownMessages.has(event.messageId)) return;
        if (unseenTexts.includes(event.text)) {
          unseenTexts.splice(unseenTexts.indexOf(event.text), 1);
          ownMessages.add(event.messageId);
          return;
        }
        screen.line(style.dim(`» ${sanitize(event.text)}`));
        return;
      case "turn_started":
        turnRunning = true;
        for (const id of event.messageIds) {
          awaiting.delete(id);
          started.add(id);
        }
        screen.endLine();
        return;
      case "approval_requested":
        render(event);
        approvals.add(event);
        return;
      case "approval_resolved":
        approvals.resolved(event.callId);
        return;
      case "turn_completed":
        turnRunning = false;
        cancelRequested = false;
        render(event);
        screen.endLine();
        return;
      default:
        render(event);
    }
  }

  async function consume(): Promise<void> {
    let lost = false;
    try {
      const stream = sessionEventStream({
        url: api.eventsUrl(sessionId),
        token: options.token,
        lastEventId: options.lastEventId,
        signal: controller.signal,
      });
      for await (const item of stream) {
        if (item.kind === "event") onEvent(item.event);
        else if (item.kind === "disconnected") {
          lost = true;
          screen.line(
            style.red(`daemon unreachable (${item.reason}) — reconnecting in ${item.retryInMs / 1000} s…`),
          );
        } else if (item.kind === "connected" && lost) {
          lost = false;
          screen.line(style.dim("reconnected"));
        } else if (item.kind === "invalid") screen.line(style.dim(`(ignored an event: ${item.reason})`));
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      screen.line(style.red(`error: ${(error as Error).message}`));
      leave(1);
    }
  }

  emitKeypressEvents(process.stdin);
  process.stdin.setRawMode(true);
  process.stdout.write("\x1b[?2004h");
  process.stdin.on("keypress", onKey);
  process.stdin.resume();
  process.stdout.on("resize", () => screen.refresh());
  showBottom();
  void consume();
  return { done, submit };
}

function replayHistory(options: {
  recent: SessionEvent[];
  turns: number;
  screen: Screen;
  style: Style;
}): void {
  if (options.recent.length === 0) return;
  options.screen.line(options.style.dim(`(${options.turns} earlier turns; the last messages:)`));
  for (const event of options.recent) {
    if (event.type === "user_message")
      options.screen.line(options.style.dim(`${PROMPT}${sanitize(event.text)}`));
    else if (event.type === "text") options.screen.line(sanitize(event.text));
  }
}
