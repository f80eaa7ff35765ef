// Shared by every studio view: the API call (key as X-API-Key), the editor's state, small DOM helpers.
export const state = { doc: null, lastView: "form", id: "", version: null, info: null, history: [] };

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

export function notice(text) { $("notice").textContent = text; }

export async function call(method, path, body, raw) {
  const headers = {};
  const key = $("api-key").value.trim();
  if (key) headers["X-API-Key"] = key;
  let payload;
  if (raw !== undefined) { payload = raw; }
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const response = await fetch(path, { method, headers, body: payload });
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : await response.blob();
  if (!response.ok) {
    const error = data && data.error ? data.error : { message: response.statusText };
    const where = error.param ? ` (${error.param})` : "";
    notice(`오류 ${response.status}: ${error.message}${where}`);
    throw Object.assign(new Error(error.message), { status: response.status, body: error });
  }
  return data;
}

// The persona as the editor holds it: the YAML text when the raw view was edited last, else the form's document.
export function source() {
  if (state.lastView === "yaml") return { id: state.id, yaml: $("yaml").value };
  return { id: state.id, document: state.doc || {} };
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}
