/** The queue priority names, for the UI (the queue itself is the service's). */
export { PRIORITY_NAMES, MIN_PRIORITY, MAX_PRIORITY } from '../service/queue-manager.js';
