import type { DashEvent } from '@fleetd/dashboard';

/** How many past events a dashboard that connects is shown. */
export const EVENT_LOG_SIZE = 500;

type EventInput = Omit<DashEvent, 'id' | 'time'>;

/** The last events, numbered; a ring so that a busy cluster costs a fixed amount of memory. */
export class EventLog {
  private readonly events: DashEvent[] = [];
  private nextId = 1;

  constructor(private readonly now: () => Date = () => new Date()) {}

  add(event: EventInput): DashEvent {
    const recorded: DashEvent = { id: this.nextId++, time: this.now().toISOString(), ...event };
    this.events.push(recorded);
    if (this.events.length > EVENT_LOG_SIZE) this.events.splice(0, this.events.length - EVENT_LOG_SIZE);
    return recorded;
  }

  recent(): readonly DashEvent[] {
    return this.events;
  }
}
