/**
 * The console's pages: each one's route in the hash (`#/devices/:id`), its title, and, for the
 * pages in the navigation, the label there. A new page is one import and one line below; the router
 * (main.tsx) and the navigation read this list and nothing else.
 */
import type { FunctionComponent } from 'preact';
import { CamerasPage } from './cameras.js';
import { ConfigPage } from './config.js';
import { DevicePage } from './device.js';
import { DevicesPage } from './devices.js';
import { EventsPage } from './events.js';
import { LoginPage } from './login.js';
import { OverviewPage } from './overview.js';

export interface PageProps {
  /** The route's parameters (`id` of `/devices/:id`), decoded. */
  params: Record<string, string>;
  /** The hash's query (`#/events?device=pump-1`). */
  query: URLSearchParams;
}

export interface PageEntry {
  /** The route: `/`, `/devices`, `/devices/:id`. */
  path: string;
  title: string | ((params: Record<string, string>) => string);
  /** Shown in the navigation with this label; pages reached from others (a device) have none. */
  nav?: string;
  component: FunctionComponent<PageProps>;
}

export const pages: PageEntry[] = [
  { path: '/', title: 'Overview', nav: 'Overview', component: OverviewPage },
  { path: '/devices', title: 'Devices', nav: 'Devices', component: DevicesPage },
  { path: '/devices/:id', title: (p) => `Device ${p.id}`, component: DevicePage },
  { path: '/events', title: 'Events and alarms', nav: 'Events', component: EventsPage },
  { path: '/cameras', title: 'Cameras', nav: 'Cameras', component: CamerasPage },
  { path: '/config', title: 'Configuration', nav: 'Configuration', component: ConfigPage },
  { path: '/login', title: 'Sign in', component: LoginPage },
];
