// Cards: drop a Character Card V2/V3 (PNG or JSON) for a preview of what maps where, import it; export a persona.
import { $, call, el, notice, state } from "./api.js";

let pending = null;

async function preview(file) {
  pending = file;
  const bytes = new Uint8Array(await file.arrayBuffer());
  const result = await call("POST", "/v1/studio/cards/preview", undefined, bytes);
  $("card-map").replaceChildren(el("thead", {}, el("tr", {}, ...["카드 필드", "페르소나 필드", "값"].map((h) =>
    el("th", { text: h })))), el("tbody", {}, ...result.mapping.map((m) => el("tr", {},
    el("td", { text: m.card }), el("td", { text: m.persona }), el("td", { text: m.value })))));
  $("card-preview").textContent = JSON.stringify(result.document, null, 2);
  $("card-import").disabled = false;
  notice(`카드(${result.spec})를 읽었습니다: ${result.document.name} → ${result.document.id}`);
}

async function importCard() {
  const bytes = new Uint8Array(await pending.arrayBuffer());
  const detail = await call("POST", "/v1/personas/import?overwrite=true", undefined, bytes);
  notice(`가져왔습니다: ${detail.id} v${detail.persona.version}`);
  document.dispatchEvent(new CustomEvent("personas-changed", { detail: detail.id }));
}

async function exportCard() {
  if (!state.id) return;
  const blob = await call("GET", `/v1/personas/${state.id}/export?png=true`);
  const link = el("a", { href: URL.createObjectURL(blob), download: `${state.id}.png` });
  document.body.append(link); link.click(); link.remove();
  notice(`${state.id}.png 로 내보냈습니다.`);
}

export function initCards() {
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault(); zone.classList.remove("over");
    const file = event.dataTransfer.files[0];
    if (file) preview(file).catch(() => {});
  });
  zone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); $("card-file").click(); }
  });
  $("card-file").addEventListener("change", () => { const f = $("card-file").files[0]; if (f) preview(f).catch(() => {}); });
  $("card-import").addEventListener("click", () => importCard().catch(() => {}));
  $("card-export").addEventListener("click", () => exportCard().catch(() => {}));
}
