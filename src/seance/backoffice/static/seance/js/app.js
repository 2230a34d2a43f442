// Séance back office: small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Forms with data-confirm ask before they submit (destructive or visible-to-families actions).
  // A form sends once: its buttons are disabled right after the browser has taken its data,
  // so a double click cannot create the same thing twice.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("hx-post") || form.method.toLowerCase() !== "post") return;
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  // Coming back with the browser's back button shows the page as it was left: usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form button[type=submit][disabled]").forEach(function (b) { b.disabled = false; });
  });

  // Links with data-open-dialog open a <dialog> instead of leaving the page.
  document.addEventListener("click", function (event) {
    const opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      const dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog && dialog.showModal) {
        event.preventDefault();
        dialog.showModal();
        const first = dialog.querySelector("input:not([type=hidden])");
        if (first) first.focus();
      }
    }
    const closer = event.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog").close();
  });

  // P2: a sponsor created in the dialog is selected in the session form; the dialog closes.
  document.body.addEventListener("sponsor-created", function () {
    const dialog = document.getElementById("sponsor-dialog");
    if (!dialog) return;
    dialog.querySelector("form").reset();
    dialog.close();
    const select = document.getElementById("id_sponsor");
    if (select) select.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // P10: live watermark preview. The form's watermark fields (and a chosen file) are posted
  // to the preview URL on every change; the answer is the sample photo, watermarked.
  function setUpPreview(root) {
    const img = root.querySelector("#watermark-preview");
    if (!img) return;
    const form = img.closest("form");
    const names = ["watermark_kind", "watermark_text", "watermark_position", "watermark_opacity", "watermark_image", "watermark_image-clear"];
    let timer = null;
    let current = null;
    function refresh() {
      const data = new FormData();
      names.forEach(function (name) {
        const field = form.elements[name];
        if (!field) return;
        if (field.type === "checkbox") {
          if (field.checked) data.append(name, "on");
        } else if (field.type === "file") {
          if (field.files.length) data.append(name, field.files[0]);
        } else {
          data.append(name, field.value);
        }
      });
      if (form.elements.segment) data.append("segment", form.elements.segment.value);
      data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      fetch(img.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) return response.text().then(function (t) { throw new Error(t); });
          return response.blob();
        })
        .then(function (blob) {
          if (current) URL.revokeObjectURL(current);
          current = URL.createObjectURL(blob);
          img.src = current;
          img.removeAttribute("aria-invalid");
          const note = document.getElementById("watermark-preview-note");
          if (note.dataset.text) note.textContent = note.dataset.text;
          note.classList.remove("error");
        })
        .catch(function (error) {
          img.setAttribute("aria-invalid", "true");
          const note = document.getElementById("watermark-preview-note");
          if (!note.dataset.text) note.dataset.text = note.textContent;
          note.textContent = error.message;
          note.classList.add("error");
        });
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    }
    names.forEach(function (name) {
      const field = form.elements[name];
      if (!field) return;
      field.addEventListener("input", schedule);
      field.addEventListener("change", schedule);
    });
    refresh();
  }

  // Product form: the paper size only matters for prints.
  function followKind() {
    const kind = document.getElementById("id_kind");
    if (!kind) return;
    const apply = function () {
      document.querySelectorAll("[data-show-when-kind]").forEach(function (el) {
        el.hidden = el.getAttribute("data-show-when-kind") !== kind.value;
      });
    };
    kind.addEventListener("change", apply);
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () { setUpPreview(document); followKind(); });
  document.body.addEventListener("htmx:afterSettle", function (event) { setUpPreview(event.target.parentNode || document); });
})();
