// A message line that re-renders itself when the language changes.
import { onLangChange } from "../i18n.js";

/**
 * `show(kind, render, code)`: `render()` returns a string or an array of strings and nodes;
 * `kind` is "info", "success" or "error"; `code` (an API error code) is kept in `data-code`.
 */
export function createStatus(element) {
  let current = null;

  function paint() {
    if (!current) return;
    const content = current.render();
    element.replaceChildren(...(Array.isArray(content) ? content : [content]));
    element.dataset.kind = current.kind;
    element.hidden = false;
  }

  onLangChange(paint);

  return {
    show(kind, render, code = "") {
      current = { kind, render };
      if (code) element.dataset.code = code;
      else delete element.dataset.code;
      paint();
    },
    refresh: paint,
    clear() {
      current = null;
      element.hidden = true;
      element.replaceChildren();
      delete element.dataset.code;
      delete element.dataset.kind;
    },
  };
}
