// Live preview of how the server reads an answer ("We read this as ..."), while the student types.
// Only an enhancement: without JavaScript the Check button shows the same message. No other requests,
// no libraries; text is set with textContent, never as HTML.
"use strict";
(function () {
  const form = document.querySelector("form.answers");
  if (!form) { return; }
  const csrf = form.querySelector("input[name=csrf]").value;
  const timers = new Map();

  function show(fieldset, result) {
    const preview = fieldset.querySelector(".preview");
    let caret = fieldset.querySelector("pre.caret");
    preview.textContent = "";
    if (caret) { caret.remove(); }
    if (!result || result.empty) { return; }
    const span = document.createElement("span");
    span.className = result.readable ? "readable" : "unreadable";
    if (result.readable) {
      span.textContent = "We read this as " + result.message;
      preview.appendChild(span);
    } else {
      caret = document.createElement("pre");
      caret.className = "caret verdict-invalid";
      caret.textContent = result.message;
      preview.after(caret);
    }
  }

  async function ask(field) {
    const fieldset = field.closest("fieldset.part");
    const body = new URLSearchParams({ csrf: csrf, part: fieldset.dataset.part, text: field.value });
    try {
      const response = await fetch(form.getAttribute("action") + "/preview", {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json" },
      });
      if (response.ok) { show(fieldset, await response.json()); }
    } catch (error) {
      // Offline or rate-limited: the Check button still works.
    }
  }

  form.querySelectorAll("[data-preview=yes]").forEach(function (field) {
    field.addEventListener("input", function () {
      clearTimeout(timers.get(field));
      timers.set(field, setTimeout(function () { ask(field); }, 300));
    });
  });
})();
