import type { UnitDropIn } from './views.js';

const DROP_IN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,100}\.conf$/;
/** A drop-in carries a few directives; anything near a unit file's size is a mistake. */
export const MAX_DROP_IN_BYTES = 64 * 1024;

/** Checks a unitDropIns answer and returns a frozen copy; throws a TypeError saying what is wrong. */
export function checkDropIns(answer: unknown): readonly UnitDropIn[] {
  if (!Array.isArray(answer)) throw new TypeError(`unitDropIns returned ${typeof answer}, expected an array of { name, text }`);
  const names = new Set<string>();
  return Object.freeze(
    (answer as unknown[]).map((entry, index) => {
      const { name, text } = (entry ?? {}) as Partial<UnitDropIn>;
      if (typeof name !== 'string' || !DROP_IN_NAME.test(name)) {
        throw new TypeError(`drop-in [${index}]: name ${JSON.stringify(name)} must be 1-105 characters of [A-Za-z0-9_.@-] ending in .conf`);
      }
      if (names.has(name)) throw new TypeError(`drop-in ${name} is given twice`);
      names.add(name);
      if (typeof text !== 'string' || Buffer.byteLength(text) > MAX_DROP_IN_BYTES || text.includes('\0')) {
        throw new TypeError(`drop-in ${name}: text must be a string of at most ${MAX_DROP_IN_BYTES} bytes without NUL`);
      }
      return Object.freeze({ name, text });
    }),
  );
}
