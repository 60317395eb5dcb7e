/**
 * Who sent a message: `local` (the operator's CLI), `device:<name>` (a paired device) or
 * `reminder:<id>` (a reminder fired into an existing session). A turn acts for its requester:
 * only they may answer its approval prompts, and a reminder's turn runs unattended with the
 * reminder's stored audience.
 */
const REMINDER_PREFIX = "reminder:";

export const reminderRequester = (reminderId: string): string => `${REMINDER_PREFIX}${reminderId}`;

/** The reminder id of a `reminder:<id>` requester; undefined for anyone else. */
export function reminderOfRequester(requester: string | undefined): string | undefined {
  return requester?.startsWith(REMINDER_PREFIX) ? requester.slice(REMINDER_PREFIX.length) : undefined;
}

/**
 * The requester of a turn that takes several queued messages. A reminder's message makes the
 * whole turn the reminder's (fail closed: its text is in the turn, so the turn gets no more than
 * the reminder may, and nobody is there to answer a prompt); otherwise the newest sender's.
 */
export function turnRequester(requesters: ReadonlyArray<string | undefined>): string | undefined {
  return (
    requesters.find((requester) => reminderOfRequester(requester) !== undefined) ??
    requesters.findLast((requester) => requester !== undefined)
  );
}
