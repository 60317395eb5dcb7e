import { join } from "node:path";
import type { HomePaths } from "../../../config/home.ts";
import type { Audience as ReminderAudience } from "../../../protocol/reminders.ts";
import { fromZodTool } from "../../agent/extra-tools.ts";
import type { Logger } from "../../lifecycle/logger.ts";
import {
  createReminderService,
  createReminderStore,
  createReminderTools,
  createScheduler,
  systemClock,
  systemTimers,
} from "../../scheduler/index.ts";
import type { SessionAudience } from "../../sessions/audience.ts";
import { reminderOfRequester } from "../../sessions/requester.ts";
import type { DaemonFeature } from "../feature.ts";
import { createReminderLauncher, type LaunchSessions } from "./launcher.ts";
import { reminderRoutes } from "./routes.ts";

const toReminderAudience = (audience: SessionAudience): ReminderAudience =>
  audience.toLowerCase() as ReminderAudience;
const fromReminderAudience = (audience: ReminderAudience): SessionAudience =>
  audience === "personal" ? "Personal" : audience === "team" ? "Team" : "Public";

/**
 * Reminders: files under `schedules/reminders/`, the scheduler firing through the session
 * registry, the `/api/reminders` routes, the agent's reminder tools per session, the stored
 * audience of a `schedule/<id>/…` session and of a `reminder:<id>` requester. `start` after
 * listen (when `Scheduling.Enabled`), `stop` while draining.
 */
export function createRemindersFeature(options: {
  paths: HomePaths;
  enabled: boolean;
  sessions: LaunchSessions;
  logger: Logger;
}): DaemonFeature {
  const store = createReminderStore({ dir: join(options.paths.schedulesDir, "reminders") });
  const scheduler = createScheduler({
    store,
    launch: createReminderLauncher({ sessions: options.sessions }),
    clock: systemClock,
    timers: systemTimers,
    logger: options.logger,
  });
  const service = createReminderService({ scheduler, clock: systemClock });
  /** A reminder's stored audience; Public, the least, when the reminder is gone. */
  const audienceOfReminder = (id: string): SessionAudience => {
    const entry = scheduler.get(id);
    return entry ? fromReminderAudience(entry.reminder.audience) : "Public";
  };
  let started = false;
  return {
    name: "reminders",
    routes: [reminderRoutes({ service })],
    start(): void {
      if (!options.enabled) return;
      scheduler.start();
      started = true;
    },
    async stop(): Promise<void> {
      if (started) await scheduler.stop();
      started = false;
    },
    /** Undefined when scheduling is off. */
    status: () => ({ reminders: options.enabled ? scheduler.summary() : undefined }),
    /**
     * None when scheduling is off, and none for Public sessions (reference/security.md §4 keeps
     * reminders out of the Public profile: a webhook payload must not be able to schedule runs).
     */
    tools(session) {
      if (!options.enabled || session.audience === "Public") return [];
      const caller = { audience: toReminderAudience(session.audience), sessionId: session.sessionId };
      return createReminderTools({ service, caller }).map(fromZodTool);
    },
    /** A fresh reminder session (`schedule/<id>/<runTs>`) has its reminder's audience. */
    audienceOf(session) {
      const match = session.name === null ? null : /^schedule\/(.+)\/[^/]+$/.exec(session.name);
      return match ? audienceOfReminder(match[1]!) : undefined;
    },
    audienceOfRequester(requester) {
      const id = reminderOfRequester(requester);
      return id === undefined ? undefined : audienceOfReminder(id);
    },
  };
}
