// Playgate console: a few behaviours, served from the binary (no inline script: the
// Content-Security-Policy forbids it). Everything works without it, less pleasantly.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Copy buttons: <button data-copy="ID"> copies the text of element ID.
  for (const b of document.querySelectorAll("button[data-copy]")) {
    b.addEventListener("click", async () => {
      const el = document.getElementById(b.dataset.copy);
      if (!el) return;
      try {
        await navigator.clipboard.writeText(el.innerText.trim());
        b.textContent = "Copied";
      } catch (_) {
        const r = document.createRange();
        r.selectNodeContents(el);
        const s = window.getSelection();
        s.removeAllRanges();
        s.addRange(r);
        b.textContent = "Selected: press Ctrl+C";
      }
      setTimeout(() => { b.textContent = "Copy"; }, 2000);
    });
  }
  // Typed confirmation: <form data-confirm="NAME"> submits only once its "confirm" input
  // holds NAME (the server checks it too).
  for (const f of document.querySelectorAll("form[data-confirm]")) {
    const input = f.querySelector("input[name=confirm]");
    const button = f.querySelector("button[type=submit]");
    if (!input || !button) continue;
    const check = () => { button.disabled = input.value.trim() !== f.dataset.confirm; };
    input.addEventListener("input", check);
    check();
  }
  // Search as you type: <input data-search="URL" data-target="ID"> loads URL?q=VALUE into
  // element ID (a fragment rendered by the server), a moment after typing stops.
  for (const input of document.querySelectorAll("input[data-search]")) {
    const target = document.getElementById(input.dataset.target);
    if (!target) continue;
    let timer = null;
    let seq = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++seq;
        const url = new URL(input.dataset.search, window.location.href);
        url.searchParams.set("q", input.value);
        const resp = await fetch(url, { credentials: "same-origin", headers: { "x-console-fragment": "1" } });
        // A 400 carries the message about the search text, shown in place of the results.
        if ((resp.ok || resp.status === 400) && mine === seq) target.innerHTML = await resp.text();
      }, 200);
    });
  }
});
