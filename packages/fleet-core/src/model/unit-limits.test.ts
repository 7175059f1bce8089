import { describe, expect, it } from 'vitest';
import { ErrorCodes, isFleetError } from '../errors.js';
import { decodeUnit, encodeUnitFile } from '../store/codec.js';
import { MAX_UNIT_BYTES, MAX_UNIT_OPTIONS } from '../unit/index.js';
import type { UnitOption } from '../unit/index.js';
import { buildUnit } from './build-unit.js';
import { createUnit } from './unit.js';

const env = (count: number): UnitOption[] => Array.from({ length: count }, (_, i) => ({ section: 'Service', name: 'Environment', value: `V${i}=x` }));
const text = (count: number): string =>
  `[Service]\n${env(count)
    .map((option) => `${option.name}=${option.value}\n`)
    .join('')}`;
/** One option whose value makes the stored unit exactly `bytes` long (options only, no text). */
function storedOf(bytes: number): UnitOption[] {
  const framing = encodeUnitFile(createUnit({ name: 'big.service', contents: [{ section: 'Service', name: 'Description', value: '' }] })).length;
  return [{ section: 'Service', name: 'Description', value: 'd'.repeat(bytes - framing) }];
}

function refusal(make: () => unknown): { code: string; message: string; unit: string | undefined } {
  try {
    make();
  } catch (error) {
    if (!isFleetError(error)) throw error;
    return { code: error.code, message: error.message, unit: error.unit };
  }
  throw new Error('accepted');
}

describe('unit limits (MAX_UNIT_OPTIONS, MAX_UNIT_BYTES), checked by createUnit', () => {
  it.each([
    { name: 'options: exactly the limit', contents: env(MAX_UNIT_OPTIONS) },
    { name: 'text: exactly the limit of options', contents: text(MAX_UNIT_OPTIONS) },
    { name: 'bytes: stored form exactly the limit', contents: storedOf(MAX_UNIT_BYTES) },
  ])('$name is accepted', ({ contents }) => {
    const unit = createUnit({ name: 'big.service', contents });
    expect(Buffer.byteLength(encodeUnitFile(unit))).toBeLessThanOrEqual(MAX_UNIT_BYTES);
  });

  it.each([
    {
      name: 'options: one over the limit',
      contents: env(MAX_UNIT_OPTIONS + 1),
      message: `unit big.service: ${MAX_UNIT_OPTIONS + 1} options, at most ${MAX_UNIT_OPTIONS}`,
    },
    { name: 'options: far over the limit', contents: env(120_000), message: `unit big.service: 120000 options, at most ${MAX_UNIT_OPTIONS}` },
    {
      name: 'text: one option over the limit',
      contents: text(MAX_UNIT_OPTIONS + 1),
      message: `unit big.service: ${MAX_UNIT_OPTIONS + 1} options, at most ${MAX_UNIT_OPTIONS}`,
    },
    {
      name: 'bytes: stored form one byte over',
      contents: storedOf(MAX_UNIT_BYTES + 1),
      message: `unit big.service: ${MAX_UNIT_BYTES + 1} bytes as stored (options and submitted text, as JSON), at most ${MAX_UNIT_BYTES}`,
    },
    {
      // 1 byte in the file, 6 in the JSON the store holds
      name: 'bytes: control characters count as JSON escapes them',
      contents: [{ section: 'Service', name: 'Description', value: '\u0001'.repeat(100_000) }],
      message: expect.stringMatching(
        new RegExp(`^unit big\\.service: 6\\d{5} bytes as stored \\(options and submitted text, as JSON\\), at most ${MAX_UNIT_BYTES}$`),
      ),
    },
    {
      // a file's text is stored beside its options: 300 KB of text is over 512 KiB as stored
      name: 'bytes: text counts twice (text and options)',
      contents: `[Service]\nDescription=${'t'.repeat(300_000)}\n`,
      message: expect.stringMatching(/^unit big\.service: 6\d{5} bytes as stored/),
    },
  ])('regression: $name is refused with UNIT_FILE_TOO_LARGE naming the unit, what is over and the limit', ({ contents, message }) => {
    expect(refusal(() => createUnit({ name: 'big.service', contents }))).toEqual({ code: ErrorCodes.UNIT_FILE_TOO_LARGE, message, unit: 'big.service' });
  });

  it('a unit stored over the limits (by an older fleetd) is still read back, not turned into invalid data', () => {
    const stored = encodeUnitFile(buildUnit({ name: 'old.service', contents: env(MAX_UNIT_OPTIONS + 1) }));
    expect(decodeUnit('/fleetd/units/old.service', 'old.service', stored).file.options).toHaveLength(MAX_UNIT_OPTIONS + 1);
  });

  it('the stored form stays well below etcd’s default request limit (1.5 MiB)', () => {
    expect(MAX_UNIT_BYTES * 3).toBeLessThanOrEqual(1.5 * 1024 * 1024);
  });
});
