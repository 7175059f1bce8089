/**
 * How large one unit may be: the same limits in standalone and cluster mode,
 * checked when a unit is created (createUnit), so every path that submits a
 * unit (API PUT, fleetctl, plans) refuses it alike with UNIT_FILE_TOO_LARGE.
 *
 * Bytes: the unit as stored (its options, hash and submitted text, encoded as
 * JSON; see store/codec.ts), which is what etcd must take in one request. At
 * 512 KiB it is a third of etcd's default --max-request-bytes (1.5 MiB), so a
 * unit and its desired state always fit in one transaction. A unit file
 * submitted as text is stored twice (text and options): about 200 KiB of
 * text. Real unit files are a few KiB.
 *
 * Options: each costs about 150 bytes of heap once decoded (V8 objects, the
 * section index), beyond its text (measured: 9 units of 10,000 options,
 * 148 B/option; 2,000 units of 10 options, 234 B/option), and about 2.3 µs
 * to decode. 2,000 options cost about 300 KB and 5 ms per unit: the per-option
 * overhead stays below the byte limit itself. Real units have tens.
 */
export const MAX_UNIT_BYTES = 512 * 1024;

/** The most options (`Name=Value` lines) one unit may have. */
export const MAX_UNIT_OPTIONS = 2_000;
