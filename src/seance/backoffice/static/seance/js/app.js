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

  // A table's "select all" box ticks every row box of its form (the orders' bulk actions).
  document.addEventListener("change", function (event) {
    const all = event.target.closest("[data-check-all]");
    if (!all) return;
    all.form.querySelectorAll("input[type=checkbox][name=order]").forEach(function (box) { box.checked = all.checked; });
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

  // P12: web upload. One request per file, two at a time, with per-file progress; a file
  // that fails on the network is retried (sending it twice is harmless: the import skips
  // what it already has); a file the server refuses shows why and is not retried.
  function setUpUploader() {
    const box = document.getElementById("uploader");
    if (!box) return;
    const url = box.dataset.uploadUrl;
    const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
    const list = document.getElementById("upload-list");
    const summary = document.getElementById("upload-summary");
    const album = document.getElementById("upload-album");
    const queue = [];
    const counts = { total: 0, done: 0, errors: 0, cards: 0, duplicates: 0 };
    let running = 0;

    function say() {
      summary.textContent = box.dataset.summaryTemplate
        .replace("{done}", counts.done)
        .replace("{total}", counts.total)
        .replace("{errors}", counts.errors)
        .replace("{cards}", counts.cards)
        .replace("{duplicates}", counts.duplicates);
    }

    function add(files) {
      Array.prototype.forEach.call(files, function (file) {
        const row = document.createElement("li");
        row.innerHTML = "<span class='fname'></span><progress max='100' value='0'></progress><span class='state'></span>";
        row.querySelector(".fname").textContent = file.name;
        list.appendChild(row);
        queue.push({ file: file, row: row, album: album.value, tries: 0 });
        counts.total += 1;
      });
      say();
      pump();
    }

    function pump() {
      while (running < 2 && queue.length) send(queue.shift());
    }

    function send(job) {
      running += 1;
      job.tries += 1;
      const xhr = new XMLHttpRequest();
      const data = new FormData();
      data.append("file", job.file);
      data.append("album", job.album);
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", token);
      const bar = job.row.querySelector("progress");
      const state = job.row.querySelector(".state");
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total; };
      xhr.onload = function () {
        running -= 1;
        let answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (err) { answer = {}; }
        if (xhr.status >= 200 && xhr.status < 300) {
          bar.value = 100;
          counts.done += 1;
          if (answer.status === "duplicate") counts.duplicates += 1;
          if (answer.card) counts.cards += 1;
          state.className = "state ok";
          state.textContent = answer.card ? "✓ QR " + answer.card : answer.status === "duplicate" ? box.dataset.duplicateLabel : answer.status === "queued" ? "⏳" : "✓";
        } else if (xhr.status >= 400 && xhr.status < 500) {
          counts.done += 1;
          counts.errors += 1;
          state.className = "state err";
          state.textContent = answer.message || ("HTTP " + xhr.status);
        } else {
          retry(job, state);
        }
        say();
        pump();
      };
      xhr.onerror = function () { running -= 1; retry(job, state); say(); pump(); };
      xhr.send(data);
    }

    function retry(job, state) {
      if (job.tries < 4) {
        state.textContent = "↻ " + job.tries;
        setTimeout(function () { queue.unshift(job); pump(); }, 1000 * job.tries * job.tries);
      } else {
        counts.done += 1;
        counts.errors += 1;
        state.className = "state err";
        state.textContent = "✗";
      }
    }

    document.getElementById("upload-files").addEventListener("change", function (e) { add(e.target.files); e.target.value = ""; });
    const zone = document.getElementById("dropzone");
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) { e.preventDefault(); zone.classList.remove("over"); add(e.dataTransfer.files); });
  }

  document.addEventListener("DOMContentLoaded", function () { setUpPreview(document); followKind(); setUpUploader(); });
  document.body.addEventListener("htmx:afterSettle", function (event) { setUpPreview(event.target.parentNode || document); });
})();
