import type { StandardSchemaV1 } from '@standard-schema/spec';

export type OptionsOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issues: readonly string[] };

/** Validates one plugin's options; each problem comes back as `plugin: path: message`. */
export async function validatePluginOptions(plugin: string, schema: StandardSchemaV1 | undefined, input: unknown): Promise<OptionsOutcome> {
  if (schema === undefined) {
    if (input === undefined || isEmptyObject(input)) return { ok: true, value: undefined };
    return { ok: false, issues: [`${plugin}: options: this plugin takes no options`] };
  }
  // No options at all means "all defaults", as a config entry without options would say.
  const result = await schema['~standard'].validate(input === undefined ? {} : input);
  if (result.issues === undefined) return { ok: true, value: result.value };
  return { ok: false, issues: result.issues.map((issue) => `${plugin}: ${formatIssuePath(issue.path)}: ${issue.message}`) };
}

/** `zones[0].name` style path; `options` for the options object itself. */
export function formatIssuePath(path: StandardSchemaV1.Issue['path']): string {
  if (path === undefined || path.length === 0) return 'options';
  let text = '';
  for (const segment of path) {
    const key = typeof segment === 'object' ? segment.key : segment;
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}
