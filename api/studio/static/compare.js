// Compare: one script of user turns through two personas (or two versions of one), side by side; save it as a
// regression check runnable with `assistant persona test FILE`.
import { $, call, el, notice, state } from "./api.js";

function parse(value) {
  const [id, version] = value.split("@");
  return version ? { id, version: Number(version) } : { id };
}

export async function fillVersions() {
  const options = [];
  for (const p of (state.info || {}).personas || []) {
    options.push([`${p.id}`, `${p.id} (현재 v${p.version})`]);
    if (p.id === state.id) {
      const loaded = await call("GET", `/v1/studio/personas/${p.id}`);
      for (const v of loaded.versions) options.push([`${p.id}@${v.version}`, `${p.id} v${v.version}`]);
    }
  }
  for (const id of ["cmp-left", "cmp-right"]) {
    const keep = $(id).value;
    $(id).replaceChildren(...options.map(([value, text]) => el("option", { value, text })));
    if (keep) $(id).value = keep;
  }
}

function cell(turn) {
  const hit = (turn.selection || {}).hit;
  const reply = turn.reply ?? "(언어 모델 없음: 생성하지 않음)";
  return `${reply}\n[${turn.source}${hit ? " " + hit.id : ""} · 점수 ${(turn.selection || {}).score}]`;
}

async function run() {
  const messages = $("cmp-script").value.split("\n").map((s) => s.trim()).filter(Boolean);
  const result = await call("POST", "/v1/studio/compare", { left: parse($("cmp-left").value),
    right: parse($("cmp-right").value), messages });
  const head = el("tr", {}, el("th", { text: "사용자" }),
    el("th", { text: `${result.left.persona} v${result.left.version}` }),
    el("th", { text: `${result.right.persona} v${result.right.version}` }));
  const rows = messages.map((m, i) => el("tr", { "data-turn": String(i) }, el("td", { text: m }),
    el("td", { class: "left", text: cell(result.left.turns[i]) }),
    el("td", { class: "right", text: cell(result.right.turns[i]) })));
  $("cmp-table").replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
}

async function saveCheck() {
  const messages = $("cmp-script").value.split("\n").map((s) => s.trim()).filter(Boolean);
  const check = await call("POST", "/v1/studio/checks", { name: $("check-name").value.trim(),
    persona: parse($("cmp-left").value), messages });
  $("check-result").textContent = `저장했습니다: ${check.file} — 명령줄: assistant persona test ${check.file}`;
  notice("회귀 검사를 저장했습니다.");
}

export function initCompare() {
  $("cmp-run").addEventListener("click", () => run().catch(() => {}));
  $("check-save").addEventListener("click", () => saveCheck().catch(() => {}));
}
