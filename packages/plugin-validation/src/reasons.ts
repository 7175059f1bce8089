/** The problems this plugin gives at submit, identical for identical causes. */
export const validationReasons = {
  /** An `[X-Fleet]` key no assembled plugin declares, with the closest declared spelling when one is near. */
  unrecognized: (option: string, suggestion?: string): string =>
    `unrecognized [X-Fleet] option ${option}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`,
  /** Two options the unit sets that the first one's owner declared exclusive; both as the unit spells them. */
  cannotCombine: (option: string, excluded: string): string => `${option} cannot be combined with ${excluded}`,
} as const;
