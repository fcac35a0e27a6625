
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
  /** Line (from 1) of the place in the document's text, when known (e.g. a JSON syntax error). */
  line?: number;
  /** Column (from 1) of the place in the document's text, when known. */
  column?: number;
}

/** The `Error` every method throws: `message` is the `path: message` lines, `problems` the same
 * as objects. */
export interface OnCallError extends Error {
  problems: Problem[];
}

/** The result of `OnCall.check(config)` and `onCall.check()`. */
export interface CheckResult {
  valid: boolean;
  /** Every problem; past the limit of 100 the last one says how many more were only counted. */
  errors: Problem[];
  /** How many problems were only counted (absent when none). */
  moreErrors?: number;
  warnings: Problem[];
  /** Paths of the Opsgenie fields that were read and ignored (`users[0].createdAt`); absent when none. */
  ignored?: string[];
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
export type TimelineLayerName = "base" | "override" | "forwarding" | "sources";

/** Options of `timeline`. */
export interface TimelineOptions {
  /** Extra layers: `baseTimeline`, `overrideTimeline`, `forwardingTimeline`; `sources`: each
   * `finalSchedule` segment says where its participants come from (`Segment.sources`). */
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
  /** Username, or the team, escalation or schedule name (absent for `none`, as in Opsgenie). */
  name?: string;
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

/** Where one person on call comes from (`onCallSources`). */
export interface OnCallSource {
  /** The rotation; absent for a schedule-wide override. */
  rotation?: string;
  /** The override that put them there: its alias, or `overrides[N]`. */
  viaOverride?: string;
  participant: Participant;
  /** Present when time off changed the shift: the policy, who was absent and why. */
  reassigned?: TimeOffRule;
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
  /** When the final on-call set next changes; `null` when it does not change before
   * `searchedUntil`, or never (when `searchedUntil` is `null` too). */
  exactNextOnCallAt: IsoInstant | null;
  /** When no change was found: where the search stopped (`nextHorizonDays` ahead, or its work
   * bound); nothing changes before it. `null` when a change was found or nothing ever changes. */
  searchedUntil: IsoInstant | null;
}

/** Who is next, flat (`oncall next --flat`). */
export interface FlatNextOnCallAnswer {
  _parent: Parent;
  nextOnCallParticipants: string[];
  exactNextOnCallParticipants: string[];
  exactNextOnCallAt: IsoInstant | null;
  /** As in {@link NextOnCallAnswer}. */
  searchedUntil: IsoInstant | null;
}

/** One hand-off of a rotation. */
export interface Handoff {
  at: IsoInstant;
  /** Who takes over (by the rotation's turns, before overrides). */
  participant: Participant;
  /** Present (true) when the hand-off falls in hours the rotation's time restriction excludes. */
  inExcludedHours?: true;
  /** For a hand-off in excluded hours: when the participant actually comes on call (absent when the shift has no window). */
  onCallFrom?: IsoInstant;
  /** The index in the rotation's `changes` of the roster version this turn belongs to (absent
   * for the rotation as written). */
  change?: number;
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
  /** Forwarding periods: the username whose shift it was (Opsgenie's `fromUser` string). */
  fromUser?: string;
  /** Final timeline with `expand: ["sources"]` only: where the period comes from. */
  source?: ShiftSource;
}

/** The periods of one rotation. A schedule-wide override's periods are placed in every rotation;
 * only a schedule without rotations shows them in an entry named `(schedule-wide overrides)`. */
export interface TimelineRotation {
  id?: string;
  name: string;
  /** As Opsgenie numbers it: 1 for the first rotation. */
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
  /** With `expand: ["sources"]` only: where each participant comes from, in rotation order
   * (docs/rules.md, "Where each answer comes from"). */
  sources?: ShiftSource[];
}

/** The time-off rule that changed a shift: the policy, who was absent, and what made the first
 * of them absent (`timeOff`: the place of the entry in their `users[].timeOff`; `holiday`: the
 * holiday calendar), with its reason. */
export interface TimeOffRule {
  policy: TimeOffPolicy;
  /** The usernames passed over, the one whose turn it was first. */
  absent: string[];
  /** The time off's reason, or `holiday (calendar NAME)`. */
  reason?: string;
  timeOff?: number;
  holiday?: string;
}

/** What put a participant in the final on-call set. Other `type`s may be added: accept types
 * you do not know. */
export type ShiftOrigin =
  | { type: "rotation"; rotation: string; /** 0 for the shift starting at `startDate`. */ turn: number }
  | ({ type: "time-off"; rotation: string; /** The turn time off gave to this participant. */ turn: number } & TimeOffRule)
  | {
      type: "override";
      /** The override's `alias`, or `overrides[i]`. */
      override: string;
      /** A rotation-scoped override: the rotation and turn it replaced. */
      rotation?: string;
      turn?: number;
    };

/** One forwarding rule followed (`rule`: index in `forwardingRules`). */
export interface ShiftForwarding {
  rule: number;
  from: string;
  to: string;
}

/** Where one participant of a final-schedule segment comes from. */
export interface ShiftSource {
  /** Who is on call through this source (after forwarding). */
  recipient: string;
  recipientType: ParticipantType;
  origin: ShiftOrigin;
  /** The forwarding chain, when forwarded. */
  forwarded?: ShiftForwarding[];
}

/** One interval where the final on-call sets differ. */
export interface ScheduleChange {
  startDate: IsoInstant;
  endDate: IsoInstant;
  old: string[];
  new: string[];
  gained: string[];
  lost: string[];
}

/** The difference of a schedule between two configurations (`oncall diff --format json`). */
export interface ScheduleDiff {
  schedule: string;
  presence: "both" | "old-only" | "new-only";
  oldTimezone?: string;
  newTimezone?: string;
  startDate: IsoInstant;
  endDate: IsoInstant;
  changedSeconds: number;
  changes: ScheduleChange[];
  users: { username: string; gainedSeconds: number; lostSeconds: number; netSeconds: number }[];
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
  /** Shifts of the window that time off changed (absent when none; docs/rules.md, "Time off and holidays"). */
  timeOff?: TimeOffChange[];
  /** Who is away and which rotations are closed for holidays in the window (absent when none). */
  away?: AwayPeriod[];
}

/** What a rotation does with the shift of an absent participant (`timeOffPolicy`). */
export type TimeOffPolicy = "skip" | "cover" | "mask";

/** A shift that time off changed: who took it, under which policy, who was absent and why. */
export interface TimeOffChange {
  rotation: string;
  /** The shift's start, clipped to the window. */
  startDate: IsoInstant;
  /** The shift's end, clipped to the window. */
  endDate: IsoInstant;
  /** Who took the shift; absent when nobody did. */
  participant?: string;
  policy: TimeOffPolicy;
  /** The usernames passed over, the one whose turn it was first. */
  absent: string[];
  /** The time off's reason, or `holiday (calendar NAME)`. */
  reason?: string;
  /** The entry of the first absent user's `users[].timeOff` that made them absent. */
  timeOff?: number;
  /** The holiday calendar that made them absent. */
  holiday?: string;
}

/** A user's time off or holidays (`user`), or a rotation closed for a holiday (`rotation`). */
export interface AwayPeriod {
  user?: string;
  rotation?: string;
  startDate: IsoInstant;
  endDate: IsoInstant;
  reason?: string;
}

/** One period of time off of a user (`users[].timeOff[]`), read in the user's zone. */
export interface TimeOffDocument {
  startDate: string;
  /** Exclusive: `"2026-12-24"` to `"2026-12-27"` is three days. */
  endDate: string;
  reason?: string;
}

/** A named list of holiday dates (`holidayCalendars[]`): `dates`, the all-day events of `ics`, or both. */
export interface HolidayCalendarDocument {
  name: string;
  /** `YYYY-MM-DD`. */
  dates?: string[];
  /** The text of an ICS calendar whose all-day events are holidays. */
  ics?: string;
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
  /** What happens to the shift of a participant who is away (default `skip`). */
  timeOffPolicy?: TimeOffPolicy;
  /** Holiday calendars on whose dates (in the rotation's zone) the rotation is closed. */
  holidays?: string[];
  /** Dated versions of the roster, oldest first (extension; see docs/rules.md, roster changes). */
  changes?: RosterChange[];
}

/** Where a roster change's version starts. */
export type Rollout = "immediate" | "after-current-shift" | "after-full-rotation";

/** A dated version of a rotation's roster: `participants`, `length` or both. */
export interface RosterChange {
  /** When the change is decided to take effect (RFC 3339, or a local time in the rotation's zone). */
  effective: string;
  /** `immediate`: at `effective`; `after-current-shift`: at the first hand-off at or after it;
   * `after-full-rotation`: at the first hand-off at or after it where the order starts over. */
  rollout: Rollout;
  /** The new turn order (default: the previous version's). */
  participants?: ParticipantRef[];
  /** The new shift length in units of the rotation's `type` (not for `custom`). */
  length?: number;
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

/** The configuration document (see docs/configuration.md). Parts the bindings do not
 * need to describe in detail are typed as plain objects; the engine validates everything. */
export interface ConfigDocument {
  users?: {
    username: string;
    id?: string;
    fullName?: string;
    timezone?: string;
    timeOff?: TimeOffDocument[];
    /** Holiday calendars on whose dates (in the user's zone) the user is away. */
    holidays?: string[];
    [key: string]: unknown;
  }[];
  holidayCalendars?: HolidayCalendarDocument[];
  teams?: { name: string; [key: string]: unknown }[];
  schedules?: ScheduleDocument[];
  escalations?: {
    name: string;
    /** What a rule whose schedule has nobody on call does (extension; default `report`). */
    onGap?: "report" | "skip" | "wait" | "fallback" | "";
    /** With `onGap: fallback`: the user or team notified instead. */
    gapFallback?: { type: "user"; username?: string; name?: string; id?: string } | { type: "team"; name?: string; id?: string };
    [key: string]: unknown;
  }[];
  forwardingRules?: { [key: string]: unknown }[];
  payRules?: PayRuleDocument[];
}

/** A decimal of a pay rule: a number (`12.5`) or a string (`"12.50"`), at most 6 decimals. */
export type DecimalValue = number | string;

/** A pay rule of the document (`payRules[]`; see docs/rules.md, "Pay and fairness"). */
export interface PayRuleDocument {
  name: string;
  currency: string;
  baseRate: DecimalValue;
  rates?: PayRateDocument[];
  schedules?: string[];
  users?: string[];
  /** `"user"` (the default) or an IANA zone. */
  timezone?: string;
  /** `YYYY-MM-DD` dates. */
  holidays?: string[];
  holidayCalendar?: string;
  minimumPerShift?: { hours: DecimalValue } | { amount: DecimalValue };
}

export type PayWeekday =
  | "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun"
  | "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday";

/** A rate of a pay rule: `rate` or `multiplier`, on `days` or on holidays, `from`–`to` local time. */
export interface PayRateDocument {
  name?: string;
  days?: PayWeekday[];
  holiday?: boolean;
  /** `HH:MM`, default `00:00`. */
  from?: string;
  /** `HH:MM`, default `00:00`; at or before `from` it is on the next day. */
  to?: string;
  rate?: DecimalValue;
  multiplier?: DecimalValue;
}

/** An interval of a report. */
export interface ReportInterval {
  startDate: IsoInstant;
  endDate: IsoInstant;
  seconds: number;
}

/** The load of one user in a report. */
export interface UserLoad {
  username: string;
  timezone: string;
  timezoneSource: "user" | "schedule";
  onCallSeconds: number;
  onCallHours: number;
  nightSeconds: number;
  nightHours: number;
  weekendSeconds: number;
  weekendHours: number;
  stretches: number;
  longestStretch: ReportInterval | null;
  shortestRest: ReportInterval | null;
}

/** The spread of one measure among the people of a report. */
export interface Spread {
  min: number;
  max: number;
  range: number;
  mean: number;
  stdDev: number;
}

/** One person of the fairness view. */
export interface FairUser {
  username: string;
  onCallHours: number;
  nightHours: number;
  weekendHours: number;
  holidayHours: number;
  shifts: number;
}

/** One pay line: one user, one band. Amounts are exact: decimal strings and minor units. */
export interface PayLine {
  band: string;
  /** Per hour, a decimal string. */
  rate: string;
  seconds: number;
  /** Hours with 2 decimals. */
  hours: string;
  amountMinor: number;
  amount: string;
}

/** The pay of one user. */
export interface UserPay {
  username: string;
  rule: string;
  currency: string;
  timezone: string;
  shifts: number;
  seconds: number;
  lines: PayLine[];
  minimum?: { shifts: number; seconds: number; amountMinor: number; amount: string };
  amountMinor: number;
  amount: string;
}

/** A report (`oncall report --format json`). */
export interface Report {
  _parent: Parent;
  timezone: string;
  startDate: IsoInstant;
  endDate: IsoInstant;
  windowSeconds: number;
  coveredSeconds: number;
  gapSeconds: number;
  coverage: number;
  gaps: ReportInterval[];
  changes: number;
  handoffs: number;
  balance: number;
  users: UserLoad[];
  fairness: {
    users: FairUser[];
    spread: { onCall: Spread; night: Spread; weekend: Spread; holiday: Spread; shifts: Spread };
  };
  pay: {
    users: UserPay[];
    unpaid: { username: string; seconds: number }[];
    totals: { currency: string; seconds: number; amountMinor: number; amount: string }[];
  };
}

/** A reference to a responder of an alert. */
export interface AlertResponder {
  type: "user" | "team" | "escalation" | "schedule";
  id?: string;
  username?: string;
  name?: string;
}

/** An alert as created: Opsgenie's create-alert payload (unknown fields are an error). */
export interface AlertDocument {
  /** Required, at most 130 characters. */
  message: string;
  alias?: string;
  description?: string;
  responders?: AlertResponder[];
  visibleTo?: AlertResponder[];
  actions?: string[];
  tags?: string[];
  details?: { [key: string]: string };
  entity?: string;
  source?: string;
  priority?: AlertPriority;
  user?: string;
  note?: string;
}

export type AlertPriority = "P1" | "P2" | "P3" | "P4" | "P5";

/** An event after the creation of an alert (the command's `--events` list). Naive times are
 * read in `tz`; a `Date` is written as its ISO string. */
export type AlertEventInput =
  | { at: Instant; action: "acknowledge" | "unacknowledge" | "close"; user?: string }
  | { at: Instant; action: "snooze"; until: Instant; user?: string }
  | { at: Instant; action: "add-note"; note: string; user?: string }
  | { at: Instant; action: "escalate-to-next"; escalation?: string }
  | { at: Instant; action: "assign"; owner: string }
  | { at: Instant; action: "duplicate" };

/** What `escalate` is about: exactly one target. */
export type EscalateTarget =
  | { team: string; escalation?: never; schedule?: never; user?: never }
  | { escalation: string; team?: never; schedule?: never; user?: never }
  | { schedule: string; team?: never; escalation?: never; user?: never }
  | { user: string; team?: never; escalation?: never; schedule?: never };

/** The alert of `escalate`: a create-alert payload (object or JSON text) or a message. */
export type EscalateAlert = { alert: AlertDocument | string; message?: never } | { message: string; alert?: never };

/** Options of `escalate`, the flags of `oncall escalate` in camelCase. */
export type EscalateOptions = EscalateTarget &
  EscalateAlert & {
    /** Overrides the alert's priority (default `P3`). */
    priority?: AlertPriority;
    /** Overrides the alert's tags: an array, or a comma-separated string. */
    tags?: string[] | string;
    /** Overrides the alert's alias (the de-duplication key). */
    alias?: string;
    /** When the alert is created (required). */
    at: Instant;
    /** Acknowledge at this instant… */
    ackAt?: Instant;
    /** …by this user (needs `ackAt`). */
    ackBy?: string;
    /** Close at this instant… */
    closeAt?: Instant;
    /** …by this user (needs `closeAt`). */
    closeBy?: string;
    /** More events, as a list or as JSON text; merged with `ackAt` and `closeAt` by time. */
    events?: AlertEventInput[] | string;
    /** Seed of `notifyType: random` picks (default 0). */
    seed?: number | bigint;
    /** IANA zone naive times are read in (default: the target's zone). */
    tz?: string;
  };

/** One link of the chain that caused a notification, outermost first. */
export type Hop =
  | { type: "routing"; team: string; ruleIndex: number | null; ruleName?: string }
  | {
      type: "escalation";
      name: string;
      ruleIndex: number;
      cycle: number;
      condition: "if-not-acked" | "if-not-closed";
      notifyType: string;
      escalationTime: number;
      escalatedToNext?: true;
    }
  | { type: "schedule"; name: string; notifyType: string }
  | { type: "team"; name: string; notifyType: string }
  /** `onGap: fallback`: notified instead of the schedule before it, which had nobody on call. */
  | { type: "gap-fallback"; schedule: string }
  | { type: "event"; action: string; user?: string };

export type ContactMethod = "email" | "sms" | "voice" | "mobile";

export type NotificationActionType =
  | "create-alert"
  | "acknowledged-alert"
  | "closed-alert"
  | "renotified-alert"
  | "assigned-alert"
  | "add-note"
  | "schedule-start"
  | "schedule-end"
  | "incoming-call-routing";

/** A notification sent. */
export interface EscalationNotification {
  at: IsoInstant;
  /** Who receives it (after forwarding). */
  user: string;
  method: ContactMethod;
  /** The contact address. */
  to: string;
  actionType: NotificationActionType;
  /** When the user was notified (steps and loops count from it). */
  notifiedAt: IsoInstant;
  /** The user it was meant for, when forwarding redirected it. */
  forwardedFrom?: string;
  notificationRule: {
    /** Index in the user's `notificationRules`; `null` for the default rule. */
    index: number | null;
    name: string;
    default: boolean;
    step: number;
    loop: number;
  };
  via: Hop[];
}

export type UnreachedReason =
  | "gap"
  | "schedule-disabled"
  | "routed-to-none"
  | "no-members"
  | "no-rules"
  | "no-matching-rule"
  | "no-steps"
  | "cycle";

/** Where somebody should have been notified and nobody was. */
export interface Unreached {
  at: IsoInstant;
  reason: UnreachedReason;
  message: string;
  user?: string;
  actionType?: NotificationActionType;
  via: Hop[];
}

export type LogKind =
  | "created"
  | "routed"
  | "escalation-started"
  | "cycle-started"
  | "acknowledgement-reset"
  | "rule-fired"
  | "rule-skipped"
  | "acknowledged"
  | "unacknowledged"
  | "snoozed"
  | "snooze-ended"
  | "closed"
  | "auto-closed"
  | "note-added"
  | "assigned"
  | "duplicate"
  | "escalated-to-next"
  | "step-cancelled"
  | "not-notified"
  | "gap-policy";

/** One thing that happened. */
export interface LogEntry {
  at: IsoInstant;
  kind: LogKind;
  message: string;
  via?: Hop[];
}

/** The alert's state after everything (Opsgenie's alert model). */
export interface AlertState {
  id: string;
  tinyId: string;
  alias: string;
  message: string;
  priority: AlertPriority;
  tags: string[];
  status: "open" | "closed";
  acknowledged: boolean;
  snoozed: boolean;
  snoozedUntil?: IsoInstant;
  count: number;
  createdAt: IsoInstant;
  lastOccurredAt: IsoInstant;
  updatedAt: IsoInstant;
  owner?: string;
  notes?: { at: IsoInstant; user?: string; note: string }[];
  /** Milliseconds from creation to the (last) acknowledgement and to the close. */
  report: { ackTime?: number; closeTime?: number; acknowledgedBy?: string; closedBy?: string };
}

/** A team's routing decision at the creation of the alert. */
export interface RoutingDecision {
  team: string;
  at: IsoInstant;
  /** The rule that applied; `null` when none did. */
  ruleIndex: number | null;
  ruleName?: string;
  isDefault: boolean;
  notify: { type: "escalation" | "schedule" | "none" | "members"; name?: string };
  /** When no rule applied: what was used instead. */
  fallback?: string;
  skipped?: { ruleIndex: number; ruleName?: string; reason: string }[];
}

/** An escalation timeline (`oncall escalate --format json`). */
export interface EscalationTimeline {
  target: { type: "team" | "escalation" | "schedule" | "user"; name: string };
  alert: AlertState;
  /** Team targets only. */
  routing?: RoutingDecision;
  notifications: EscalationNotification[];
  unreached: Unreached[];
  log: LogEntry[];
}

/** The flat forms of `whoIsOnCall` and `nextOnCall` (merged into the class as overloads). */
export interface OnCall {
  whoIsOnCall(schedule: string, at: Instant | null | undefined, options: { flat: true }): FlatOnCallAnswer;
  whoIsOnCall(schedule: string, at: Instant | null | undefined, options: WhoOptions): OnCallAnswer | FlatOnCallAnswer;
  nextOnCall(schedule: string, at: Instant | null | undefined, options: { flat: true }): FlatNextOnCallAnswer;
  nextOnCall(schedule: string, at: Instant | null | undefined, options: WhoOptions): NextOnCallAnswer | FlatNextOnCallAnswer;
}
