export * from './states.js';
export * from './machine.js';
export * from './facts.js';
export * from './unit.js';
