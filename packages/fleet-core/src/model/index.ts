export * from './states.js';
export * from './machine.js';
export * from './unit.js';
