// Fills {name} placeholders in a translated string: every occurrence of each one, and nothing
// else, so a placeholder without a value stays visible instead of turning into "undefined".
export function fillPlaceholders(text, params) {
  let filled = text;
  Object.keys(params || {}).forEach((name) => {
    filled = filled.split("{" + name + "}").join(String(params[name]));
  });
  return filled;
}
