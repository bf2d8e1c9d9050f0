// ior portal: what pages change, they change through the API with the session's CSRF token.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  // The API as the pages reach it: with the session cookie (a gateway guards /api for tokens).
  const API = "/web/api";

  async function api(method, url, body) {
    const headers = { "X-CSRF-Token": csrf, Accept: "application/json" };
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    const response = await fetch(url, { method, headers, body, credentials: "same-origin" });
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = { detail: text }; }
    return { ok: response.ok, status: response.status, json };
  }

  function say(output, text, good) {
    output.innerHTML = "";
    const span = document.createElement("span");
    span.className = good ? "ok" : "bad";
    span.textContent = text;
    output.appendChild(span);
  }

  function refusal(answer) {
    return `Refused (${answer.status}): ${(answer.json && answer.json.detail) || "no reason given"}`;
  }

  document.getElementById("sign-out")?.addEventListener("click", async () => {
    await api("POST", "/auth/logout");
    window.location.assign("/signed-out");
  });

  // Upload: send the file, then follow it until its extract appears in the read model.
  const upload = document.getElementById("upload-form");
  if (upload) {
    const feed = upload.querySelector("#feed");
    const file = upload.querySelector("#file");
    const zone = document.getElementById("drop-zone");
    const output = document.getElementById("upload-result");
    feed.addEventListener("change", () => {
      const fields = feed.selectedOptions[0]?.dataset.fields;
      document.getElementById("feed-fields").textContent = fields ? `Header row: ${fields}` : "";
    });
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault(); zone.classList.remove("over");
      if (e.dataTransfer.files.length) file.files = e.dataTransfer.files;
    });
    upload.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!feed.value || !file.files.length) { say(output, "Choose a feed and a file.", false); return; }
      const form = new FormData();
      form.append("file", file.files[0]);
      say(output, `Sending ${file.files[0].name}…`, true);
      const answer = await api("POST", `${API}/uploads/${encodeURIComponent(feed.value)}`, form);
      if (!answer.ok) { say(output, refusal(answer), false); return; }
      say(output, `Received as ${answer.json.uri}; waiting for ingestion…`, true);
      follow(answer.json, output, Date.now() + 120000);
    });
  }

  async function follow(landed, output, until) {
    const answer = await fetch(`${API}/extracts?feed=${encodeURIComponent(landed.feed)}&sha256=${landed.sha256}`,
                               { headers: { Accept: "application/json" } });
    const items = answer.ok ? (await answer.json()).items : [];
    if (items.length) {
      const x = items[0];
      const good = x.status === "accepted";
      say(output, `${x.status}: ${x.accepted_count} records accepted, ${x.rejected_count || 0} rejected (extract ${x.extract_key})`, good);
      const link = document.createElement("a");
      link.href = `/quality/${encodeURIComponent(x.extract_key)}`; link.textContent = " Open its findings";
      output.appendChild(link);
      output.dataset.outcome = x.status;
      return;
    }
    if (Date.now() > until) { say(output, "Still not ingested after 2 minutes: see Operations.", false); return; }
    setTimeout(() => follow(landed, output, until), 1000);
  }

  // Re-run a comparison, replay a DLQ (a dry run first, then a confirmation).
  for (const form of document.querySelectorAll("form.api-action[data-api]")) {
    const output = form.querySelector("output");
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (form.dataset.kind === "rerun") {
        const answer = await api("POST", form.dataset.api);
        say(output, answer.ok ? `Requested (event ${answer.json.event_id}); the new run appears here when done.` : refusal(answer), answer.ok);
        return;
      }
      const dry = await api("POST", form.dataset.api, { dry_run: true });
      if (!dry.ok) { say(output, refusal(dry), false); return; }
      say(output, `Dry run: ${dry.json.matched} would move, ${dry.json.skipped} skipped, ${dry.json.refused.length} refused.`, true);
      if (!dry.json.matched) return;
      const confirm = document.createElement("button");
      confirm.type = "button"; confirm.className = "confirm"; confirm.textContent = `Confirm: replay ${dry.json.matched}`;
      confirm.addEventListener("click", async () => {
        const done = await api("POST", form.dataset.api, { dry_run: false });
        say(output, done.ok ? `Replayed: ${done.json.moved} moved, ${done.json.failed.length} failed.` : refusal(done), done.ok);
      });
      output.appendChild(document.createTextNode(" "));
      output.appendChild(confirm);
      confirm.focus({ preventScroll: true });
    });
  }
})();
