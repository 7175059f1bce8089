import { describe, expect, it } from 'vitest';
import { formatBytes, formatFacts, formatMetadata, formatTime, optionsToUnitFile, shortHash } from './format.js';
import { errorMessage } from './api.js';
import { tokenFromFragment } from './login.js';

describe('formatting', () => {
  it.each([
    { bytes: 0, text: '0 B' },
    { bytes: 512, text: '512 B' },
    { bytes: 1536, text: '1.5 KiB' },
    { bytes: 512 * 2 ** 20, text: '512 MiB' },
    { bytes: 1.5 * 2 ** 30, text: '1.5 GiB' },
    { bytes: 8 * 2 ** 30, text: '8 GiB' },
    { bytes: 3 * 2 ** 50, text: '3 PiB' },
  ])('formatBytes($bytes) is $text', ({ bytes, text }) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('writes facts and metadata by name', () => {
    expect(
      formatFacts({
        memory: { type: 'bytes', value: 2 ** 33 },
        cpu: { type: 'number', value: 4 },
        gpu: { type: 'boolean', value: true },
        zone: { type: 'string', value: 'a' },
      }),
    ).toBe('cpu 4, gpu true, memory 8 GiB, zone a');
    expect(formatMetadata({ region: 'eu', disk: 'ssd' })).toBe('disk=ssd, region=eu');
  });

  it.each([
    { name: 'a date', iso: '2025-03-04T05:06:07.000Z', text: /^\d\d:\d\d:07$/ },
    { name: 'not a date', iso: 'yesterday', text: /^yesterday$/ },
  ])('formatTime: $name', ({ iso, text }) => {
    expect(formatTime(iso)).toMatch(text);
  });

  it('shortens hashes as fleetctl does', () => {
    expect(shortHash('0123456789abcdef')).toBe('0123456');
  });

  it('writes a unit file from fleet options, grouped by section in order', () => {
    const options = [
      { section: 'Service', name: 'ExecStart', value: '/bin/web' },
      { section: 'X-Fleet', name: 'Conflicts', value: 'web@*.service' },
      { section: 'Service', name: 'Restart', value: 'always' },
    ];
    expect(optionsToUnitFile(options)).toBe('[Service]\nExecStart=/bin/web\nRestart=always\n\n[X-Fleet]\nConflicts=web@*.service\n');
  });

  it.each([
    { name: "fleet's error body", body: '{"error":{"code":400,"message":"unit name bad"}}', message: 'unit name bad' },
    { name: 'an empty message', body: '{"error":{"message":""}}', message: undefined },
    { name: 'not JSON', body: '<html>', message: undefined },
    { name: 'JSON null', body: 'null', message: undefined },
  ])('errorMessage: $name', ({ body, message }) => {
    expect(errorMessage(body)).toBe(message);
  });

  it.each([
    { name: 'the address fleetd dev prints', hash: '#token=s3cr%2Bt', token: 's3cr+t' },
    { name: 'a token with a plus', hash: '#token=a+b/c=', token: 'a+b/c=' },
    { name: 'a token among other parameters', hash: '#x=1&token=abc', token: 'abc' },
    { name: 'no fragment', hash: '', token: undefined },
    { name: 'an empty token', hash: '#token=', token: undefined },
    { name: 'another fragment', hash: '#/units', token: undefined },
  ])('tokenFromFragment: $name', ({ hash, token }) => {
    expect(tokenFromFragment(hash)).toBe(token);
  });
});
