export { BusClosedError, BusConnection, DBusCallError, DBusTimeoutError, type MethodCall, type SignalMessage } from './bus.js';
export { DBusProtocolError } from './decode.js';
export { escapeBusLabel, unescapeBusLabel, unitNameFromPath, unitObjectPath, SYSTEMD_PATH, UNIT_PATH_PREFIX } from './escape.js';
export { SystemdManager, SystemdErrors, SYSTEMD_BUS_NAME, MANAGER_INTERFACE, UNIT_INTERFACE, SERVICE_INTERFACE, PROPERTIES_INTERFACE } from './manager.js';
export type * from './types.js';
