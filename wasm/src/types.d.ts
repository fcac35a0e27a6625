
/** An instant argument: an ISO 8601 string (RFC 3339 such as `2026-11-10T09:00:00Z`, a naive
 * local time such as `2026-11-10T10:00` read in the schedule's zone, or `"now"`) or a `Date`. */
export type Instant = string | Date;

/** An instant in an answer: RFC 3339 in UTC, e.g. `2026-11-10T08:00:00Z`. */
export type IsoInstant = string;

/** A problem of the input, with the path of the place it was found
 * (e.g. `schedules[0].rotations[1].length`; empty for the whole document). */
export interface Problem {
  path: string;
  message: string;
}

/** The `Error` every method throws: `message` is the `path: message` lines, `problems` the same
 * as objects. */
export interface OnCallError extends Error {
  problems: Problem[];
}

/** The result of `OnCall.check(config)` and `onCall.check()`. */
export interface CheckResult {
  valid: boolean;
  errors: Problem[];
  warnings: Problem[];
}

/** A schedule of the configuration. */
export interface ScheduleInfo {
  name: string;
  /** IANA zone, e.g. `Europe/Berlin`. */
  timezone: string;
  enabled: boolean;
  /** Rotation names, in order. */
  rotations: string[];
}

/** Options of `whoIsOnCall` and `nextOnCall`. */
export interface WhoOptions {
  /** Usernames only, teams and escalations resolved (Opsgenie's `flat=true`). */
  flat?: boolean;
}

/** A layer a timeline can carry besides the final one. */
export type TimelineLayerName = "base" | "override" | "forwarding";

/** Options of `timeline`. */
export interface TimelineOptions {
  /** Extra layers: `baseTimeline`, `overrideTimeline`, `forwardingTimeline`. */
  expand?: TimelineLayerName[];
}

/** The schedule an answer is about. */
export interface Parent {
  id?: string;
  name: string;
  enabled: boolean;
}

export type ParticipantType = "user" | "team" | "escalation" | "schedule" | "none";

/** A participant, as in Opsgenie's `onCallParticipants`. */
export interface Participant {
  id?: string;
  /** Username, or the team, escalation or schedule name (empty for `none`). */
  name: string;
  type: ParticipantType;
  /** Escalation rules only: the rule's delay in minutes. */
  escalationTime?: number;
  /** Escalation rules only: the rule's notify type. */
  notifyType?: string;
  /** A forwarded user: who the notification was meant for. */
  forwardedFrom?: Participant;
  /** Teams, escalations and schedules: who they reach. */
  onCallParticipants?: Participant[];
}

/** Who is on call (`oncall who --format json`). */
export interface OnCallAnswer {
  _parent: Parent;
  onCallParticipants: Participant[];
}

/** Who is on call, flat (`oncall who --flat`). */
export interface FlatOnCallAnswer {
  _parent: Parent;
  onCallRecipients: string[];
}

/** Who is next (`oncall next --format json`). */
export interface NextOnCallAnswer {
  _parent: Parent;
  /** Per rotation, the participant of its next shift. */
  nextOnCallRecipients: Participant[];
  /** The final on-call set from the next change on. */
  exactNextOnCallRecipients: Participant[];
  /** When the final on-call set next changes; `null` when it never does (within 10 years). */
  exactNextOnCallAt: IsoInstant | null;
}

/** Who is next, flat (`oncall next --flat`). */
export interface FlatNextOnCallAnswer {
  _parent: Parent;
  nextOnCallParticipants: string[];
  exactNextOnCallParticipants: string[];
  exactNextOnCallAt: IsoInstant | null;
}

/** One hand-off of a rotation. */
export interface Handoff {
  at: IsoInstant;
  /** Who takes over (by the rotation's turns, before overrides). */
  participant: Participant;
}

/** Hand-offs of a rotation (`oncall handoffs --format json`). */
export interface Handoffs {
  _parent: Parent;
  rotation: string;
  handoffs: Handoff[];
}

export type PeriodType = "default" | "override" | "forwarding";

/** A maximal period of one recipient in one rotation, clipped to the window. */
export interface Period {
  startDate: IsoInstant;
  endDate: IsoInstant;
  type: PeriodType;
  recipient: Participant;
  /** Forwarding periods: whose shift it was. */
  fromUser?: Participant;
}

/** The periods of one rotation (schedule-wide overrides come last, named
 * `(schedule-wide overrides)`). */
export interface TimelineRotation {
  id?: string;
  name: string;
  order: number;
  periods: Period[];
}

/** One layer of a timeline. */
export interface TimelineLayer {
  rotations: TimelineRotation[];
}

/** A maximal segment of constant final on-call set; `recipients` empty is a gap. */
export interface Segment {
  startDate: IsoInstant;
  endDate: IsoInstant;
  /** Sorted usernames. */
  recipients: string[];
}

/** A timeline (`oncall timeline --format json`). */
export interface Timeline {
  _parent: Parent;
  startDate: IsoInstant;
  endDate: IsoInstant;
  finalTimeline: TimelineLayer;
  baseTimeline?: TimelineLayer;
  overrideTimeline?: TimelineLayer;
  forwardingTimeline?: TimelineLayer;
  /** The flat final schedule: consecutive segments covering the window, gaps included. */
  finalSchedule: Segment[];
}

/** A reference by name or id, e.g. `{"name": "payments"}`. */
export interface NameRef {
  id?: string;
  name?: string;
  type?: string;
}

/** A participant of a rotation or override: a username, or an object. */
export type ParticipantRef =
  | string
  | { type: "user" | "team" | "escalation" | "schedule" | "none"; id?: string; username?: string; name?: string };

/** A time restriction, in Opsgenie's two shapes. */
export interface TimeRestriction {
  type: "time-of-day" | "weekday-and-time-of-day";
  restriction?: { startHour: number; startMin?: number; endHour: number; endMin?: number };
  restrictions?: {
    startDay: string;
    startHour: number;
    startMin?: number;
    endDay: string;
    endHour: number;
    endMin?: number;
  }[];
}

/** A rotation of a schedule. */
export interface RotationDocument {
  id?: string;
  name?: string;
  type: "daily" | "weekly" | "hourly" | "monthly" | "custom";
  length?: number;
  startDate: string;
  endDate?: string;
  participants: ParticipantRef[];
  timeRestriction?: TimeRestriction;
  timezone?: string;
  priority?: number;
  recurrence?: string;
}

/** An override of a schedule. */
export interface OverrideDocument {
  alias?: string;
  user: ParticipantRef;
  startDate: string;
  endDate: string;
  rotations?: NameRef[];
}

/** A schedule of the configuration document. */
export interface ScheduleDocument {
  id?: string;
  name: string;
  description?: string;
  timezone?: string;
  enabled?: boolean;
  ownerTeam?: NameRef;
  rotations?: RotationDocument[];
  overrides?: OverrideDocument[];
}

/** The configuration document (see the project's interfaces §1). Parts the bindings do not
 * need to describe in detail are typed as plain objects; the engine validates everything. */
export interface ConfigDocument {
  users?: { username: string; id?: string; fullName?: string; timezone?: string; [key: string]: unknown }[];
  teams?: { name: string; [key: string]: unknown }[];
  schedules?: ScheduleDocument[];
  escalations?: { name: string; [key: string]: unknown }[];
  forwardingRules?: { [key: string]: unknown }[];
}

/** The flat forms of `whoIsOnCall` and `nextOnCall` (merged into the class as overloads). */
export interface OnCall {
  whoIsOnCall(schedule: string, at: Instant | null | undefined, options: { flat: true }): FlatOnCallAnswer;
  whoIsOnCall(schedule: string, at: Instant | null | undefined, options: WhoOptions): OnCallAnswer | FlatOnCallAnswer;
  nextOnCall(schedule: string, at: Instant | null | undefined, options: { flat: true }): FlatNextOnCallAnswer;
  nextOnCall(schedule: string, at: Instant | null | undefined, options: WhoOptions): NextOnCallAnswer | FlatNextOnCallAnswer;
}
