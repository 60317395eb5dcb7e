import { join } from "node:path";
import type { HomePaths } from "../../config/home.ts";
import type { Audience as ReminderAudience } from "../../protocol/reminders.ts";
import { type ExtraTool, fromZodTool } from "../agent/extra-tools.ts";
import { reminderRoutes } from "../http/routes/reminders.ts";
import type { Logger } from "../lifecycle/logger.ts";
import {
  createReminderService,
  createReminderStore,
  createReminderTools,
  createScheduler,
  systemClock,
  systemTimers,
} from "../scheduler/index.ts";
import { createReminderLauncher, type LaunchSessions } from "./reminder-launcher.ts";
import type { SessionAudience } from "./session-audience.ts";

export type ReminderWiring = ReturnType<typeof createReminderWiring>;

const toReminderAudience = (audience: SessionAudience): ReminderAudience =>
  audience.toLowerCase() as ReminderAudience;
const fromReminderAudience = (audience: ReminderAudience): SessionAudience =>
  audience === "personal" ? "Personal" : audience === "team" ? "Team" : "Public";

/**
 * Reminders for main.ts: files under `schedules/reminders/`, the scheduler firing through the
 * session registry, the `/api/reminders` routes, the agent's reminder tools per session, and the
 * stored audience of a `schedule/<id>/…` session. `start` after listen (when
 * `Scheduling.Enabled`), `stop` while draining.
 */
export function createReminderWiring(options: {
  paths: HomePaths;
  enabled: boolean;
  sessions: () => LaunchSessions;
  logger: Logger;
}) {
  const store = createReminderStore({ dir: join(options.paths.schedulesDir, "reminders") });
  const scheduler = createScheduler({
    store,
    launch: createReminderLauncher({ sessions: options.sessions }),
    clock: systemClock,
    timers: systemTimers,
    logger: options.logger,
  });
  const service = createReminderService({ scheduler, clock: systemClock });
  let started = false;
  return {
    routes: reminderRoutes({ service }),
    start(): void {
      if (!options.enabled) return;
      scheduler.start();
      started = true;
    },
    async stop(): Promise<void> {
      if (started) await scheduler.stop();
      started = false;
    },
    /** For `status`; undefined when scheduling is off. */
    summary: () => (options.enabled ? scheduler.summary() : undefined),
    /**
     * The reminder tools of one session: none when scheduling is off, and none for Public
     * sessions (reference/security.md §4 keeps reminders out of the Public profile: a webhook
     * payload must not be able to schedule runs).
     */
    tools(session: { sessionId: string; audience: SessionAudience }): ExtraTool[] {
      if (!options.enabled || session.audience === "Public") return [];
      const caller = { audience: toReminderAudience(session.audience), sessionId: session.sessionId };
      return createReminderTools({ service, caller }).map(fromZodTool);
    },
    /**
     * The stored audience of a fresh reminder session (`schedule/<id>/<runTs>`); undefined for
     * any other name. A session whose reminder is gone gets Public, the least.
     */
    audienceOfSession(name: string | null): SessionAudience | undefined {
      const match = name === null ? null : /^schedule\/(.+)\/[^/]+$/.exec(name);
      return match ? this.audienceOfReminder(match[1]!) : undefined;
    },
    /** A reminder's stored audience; Public, the least, when the reminder is gone. */
    audienceOfReminder(id: string): SessionAudience {
      const entry = scheduler.get(id);
      return entry ? fromReminderAudience(entry.reminder.audience) : "Public";
    },
  };
}
