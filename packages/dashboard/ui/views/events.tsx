/** `#/events`: what happened, newest first, as the feed brings it (the store keeps the last 1,000). */
import { formatTime } from '../format.js';
import { useTitle } from '../hooks.js';
import { unitHref } from '../route.js';
import { EVENT_CAP, type Store } from '../store.js';
import type { DashEvent } from '../../src/feed.js';
import { Loading, memo } from './common.js';

export function EventsView({ store }: { store: Store }) {
  useTitle('Events');
  return (
    <>
      <h1>Events</h1>
      <p class="hint">Newest first; the page keeps the last {EVENT_CAP.toLocaleString('en')}.</p>
      {store.connection === 'connecting' && <Loading />}
      <ol aria-label="Events" class="events">
        {store.events.map((event) => (
          <EventItem key={event.id} event={event} />
        ))}
      </ol>
      {store.events.length === 0 && store.connection !== 'connecting' && <p class="empty">No events yet.</p>}
    </>
  );
}

const EventItem = memo(function eventItem({ event }: { event: DashEvent }) {
  return (
    <li class={`event kind-${event.kind}`}>
      <time dateTime={event.time} title={event.time}>
        {formatTime(event.time)}
      </time>
      <span class="kind">{event.kind}</span>
      <span class="message">{event.unit !== undefined ? <a href={unitHref(event.unit)}>{event.message}</a> : event.message}</span>
    </li>
  );
});
