/**
 * Reminders: files under `schedules/reminders/`, the scheduler that fires them through a
 * `RunLauncher`, the rules shared by the API and the agent (`ReminderService`), and the agent's
 * tools. main.ts wires these; nothing here reaches into sessions or tools:
 *
 *   const store = createReminderStore({ dir: join(paths.schedulesDir, "reminders") });
 *   const scheduler = createScheduler({ store, launch, clock: systemClock, timers: systemTimers, logger });
 *   const reminders = createReminderService({ scheduler, clock: systemClock });
 *   // routes: reminderRoutes({ service: reminders }); per session: createReminderTools({ service: reminders, caller })
 *   // after listen: scheduler.start(); on drain: await scheduler.stop();
 */
export type { ReminderCaller, ReminderService } from "./reminder-service.ts";
export { createReminderService } from "./reminder-service.ts";
export { createReminderStore, HISTORY_LIMIT, type ReminderStore } from "./reminder-store.ts";
export { createReminderTools, type ReminderTool, type ReminderToolResult } from "./reminder-tools.ts";
export { createScheduler, type Scheduler, type SchedulerOptions } from "./scheduler.ts";
export {
  type Clock,
  DEFAULT_LIMITS,
  type ReminderRun,
  type RunLauncher,
  type RunOutcome,
  type SchedulerLimits,
  type SchedulerLogger,
  systemClock,
  systemTimers,
  type Timers,
} from "./types.ts";
