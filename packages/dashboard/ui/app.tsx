/** The frame around every view: skip link, header with the feed's status, main navigation. */
import type { TargetedMouseEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { messageOf, request } from './api.js';
import { useRoute, useStore } from './hooks.js';
import { samePage, type Route } from './route.js';
import type { Store } from './store.js';
import { EventsView } from './views/events.js';
import { MachineView } from './views/machine.js';
import { Overview } from './views/overview.js';
import { PlanView } from './views/plan.js';
import { UnitView } from './views/unit.js';
import { UnitsView } from './views/units.js';
import type { Health } from './wire.js';

const NAV: readonly { label: string; href: string; views: readonly Route['view'][] }[] = [
  { label: 'Overview', href: '#/', views: ['overview', 'machine'] },
  { label: 'Units', href: '#/units', views: ['units', 'unit'] },
  { label: 'Plan', href: '#/plan', views: ['plan'] },
  { label: 'Events', href: '#/events', views: ['events'] },
];

export function App({ store }: { store: Store }) {
  useStore(store);
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const shown = useRef(route);
  useEffect(() => {
    // A new page moves focus to its content, as a page load would to the top.
    if (!samePage(shown.current, route)) {
      main.current?.focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }
    shown.current = route;
  }, [route]);
  const skip = (event: TargetedMouseEvent<HTMLAnchorElement>) => {
    // The fragment is the router's: focus the content instead of navigating to #content.
    event.preventDefault();
    main.current?.focus();
  };
  return (
    <>
      <a class="skip" href="#content" onClick={skip}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          fleetd
        </a>
        <span role="status" class={`feed feed-${store.connection}`}>
          {store.connection === 'live' ? 'live' : 'reconnecting…'}
        </span>
        <HealthLine live={store.connection === 'live'} />
        <form class="signout" method="post" action="/ui/logout">
          <button type="submit">Sign out</button>
        </form>
      </header>
      <nav aria-label="Main" class="main-nav">
        {NAV.map((item) => (
          <a key={item.href} href={item.href} aria-current={item.views.includes(route.view) ? 'page' : undefined}>
            {item.label}
          </a>
        ))}
      </nav>
      {store.connection === 'lost' && <p class="banner">Lost the connection to fleetd; trying again every second.</p>}
      <main id="content" tabIndex={-1} ref={main}>
        <View route={route} store={store} />
      </main>
    </>
  );
}

function View({ route, store }: { route: Route; store: Store }) {
  switch (route.view) {
    case 'overview':
      return <Overview store={store} />;
    case 'units':
      return <UnitsView store={store} query={route.query} />;
    case 'unit':
      return <UnitView key={route.name} store={store} name={route.name} />;
    case 'machine':
      return <MachineView store={store} id={route.id} />;
    case 'plan':
      return <PlanView />;
    case 'events':
      return <EventsView store={store} />;
    case 'missing':
      return (
        <>
          <h1>Not found</h1>
          <p>
            No page at {route.path}. <a href="#/">Back to the overview</a>
          </p>
        </>
      );
  }
}

/** Version and machine of the fleetd that serves the page; asked again after each reconnect (it may have restarted). */
function HealthLine({ live }: { live: boolean }) {
  const [health, setHealth] = useState<Health | string | undefined>(undefined);
  useEffect(() => {
    if (!live) return;
    const controller = new AbortController();
    request<Health>('/health', { signal: controller.signal }).then(setHealth, (error: unknown) => {
      if (!controller.signal.aborted) setHealth(messageOf(error));
    });
    return () => controller.abort();
  }, [live]);
  if (health === undefined) return null;
  if (typeof health === 'string') return <span class="health">health: {health}</span>;
  const leader = health.engine?.leader === true ? ' · engine leader' : '';
  return (
    <span class="health">
      {health.version} · {health.mode} · {health.machineID}
      {leader}
    </span>
  );
}
