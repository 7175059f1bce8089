/**
 * Splits one [X-Fleet] value into its values, exactly as fleet does.
 *
 * Port of parseMultivalueLine() in coreos/fleet unit/unit.go (fleet v1.0; its
 * cases are in unit/unit_test.go TestParseMultivalueLine):
 * - only a value that both starts and ends with `"` is split; anything else,
 *   including an unquoted `a b` or an unterminated `"a b`, is one value, as is;
 * - then `"` toggles "inside quotes" and is dropped, and each space (only
 *   U+0020, not tabs) outside quotes ends a value, so two spaces between quoted
 *   values yield an empty value between them;
 * - there are no escapes: `"foo\"bar"` gives `foo\bar`, and an unbalanced quote
 *   inside (`"bar" "`) is accepted silently, giving `bar` and ``.
 * fleet walked bytes; `"` and space never occur inside a multi-byte UTF-8
 * sequence, so walking UTF-16 units gives the same result.
 */
export function splitMultiValue(value: string): string[] {
  if (!value.startsWith('"') || !value.endsWith('"')) return [value];
  const values: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') {
      quoted = !quoted;
    } else if (ch === ' ' && !quoted) {
      values.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  values.push(current);
  return values;
}
