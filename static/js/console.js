/* iamconsole console: small progressive enhancements. Everything works without this file. */
(function () {
  "use strict";

  // Let htmx swap error answers (form errors 400, access denied 403, not found 404, stale edit
  // 409): the server sends a fragment meant to be shown.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ([400, 403, 404, 409, 422, 429].indexOf(status) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // While a request runs its target is marked busy (assistive technology; the cursor), besides
  // the progress bar at the top of the page (hx-indicator on <body>).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.setAttribute) { target.setAttribute("aria-busy", "true"); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target && target.removeAttribute) { target.removeAttribute("aria-busy"); }
  });

  // Anything else that fails (a 5xx, a dropped connection) is shown as an alert at the top of
  // the page; the page itself stays as it was.
  function showFailure(text) {
    var box = document.getElementById("request-failure");
    if (!box) {
      box = document.createElement("div");
      box.id = "request-failure";
      box.className = "notice error";
      box.setAttribute("role", "alert");
      var main = document.querySelector("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }
    box.textContent = text;
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 500) {
      showFailure(status === 503
        ? "The service is unavailable right now (HTTP 503). Nothing was changed; try again shortly."
        : "The server could not complete the request (HTTP " + status + "). It was logged.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    showFailure("The server could not be reached. Check the connection and try again.");
  });

  // Policy editor: a line-number gutter kept in step with the textarea.
  function setupEditor(box) {
    var area = box.querySelector("textarea");
    if (!area || box.querySelector(".gutter")) return;
    var gutter = document.createElement("pre");
    gutter.className = "gutter";
    gutter.setAttribute("aria-hidden", "true");
    box.insertBefore(gutter, area);
    box.classList.add("with-gutter");
    function refresh() {
      var count = area.value.split("\n").length;
      var lines = [];
      for (var i = 1; i <= count; i++) lines.push(i);
      gutter.textContent = lines.join("\n");
      gutter.scrollTop = area.scrollTop;
    }
    area.addEventListener("input", refresh);
    area.addEventListener("scroll", function () { gutter.scrollTop = area.scrollTop; });
    // Tab inserts two spaces; Escape then Tab leaves the editor (keyboard users are not trapped).
    var escaped = false;
    area.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { escaped = true; return; }
      if (e.key === "Tab" && !e.shiftKey && !escaped) {
        e.preventDefault();
        var s = area.selectionStart;
        area.setRangeText("  ", s, area.selectionEnd, "end");
        area.dispatchEvent(new Event("input", { bubbles: true }));
      }
      escaped = false;
    });
    refresh();
  }

  function init(root) {
    (root || document).querySelectorAll("[data-editor]").forEach(setupEditor);
  }

  // A finding's "Line N" button selects that line in the editor.
  document.addEventListener("click", function (e) {
    var target = e.target.closest(".goto-line");
    if (target) {
      var area = document.querySelector("[data-editor] textarea");
      if (!area) return;
      var line = parseInt(target.dataset.line, 10);
      var lines = area.value.split("\n");
      var start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
      var end = start + (lines[line - 1] || "").length;
      area.focus();
      area.setSelectionRange(start, end);
      var lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 18;
      area.scrollTop = Math.max(0, (line - 3) * lineHeight);
      return;
    }
    if (e.target.closest("[data-dismiss]")) {
      var alert = e.target.closest(".alert");
      if (alert) alert.remove();
    }
    var cancel = e.target.closest("[data-dismiss-confirm]");
    if (cancel && cancel.closest("#confirm-slot")) {
      e.preventDefault();
      document.getElementById("confirm-slot").innerHTML = "";
    }
  });

  // A policy picker's search box filters its <select> (htmx): Enter searches at once instead
  // of submitting the form around it.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.matches && e.target.matches("input[data-picker-search]")) {
      e.preventDefault();
      e.target.dispatchEvent(new Event("search"));
    }
  });

  // Bulk actions: "select all on this page" checks or clears every row checkbox of its form.
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("input[data-select-all]")) {
      var form = e.target.form;
      form.querySelectorAll("input[name='" + e.target.dataset.selectAll + "']").forEach(
        function (box) { box.checked = e.target.checked; });
    }
  });

  // A bulk delete asks once before it runs (the other bulk actions can be undone).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.id === "bulk-form" && form.elements.bulk_action.value === "delete") {
      var items = form.dataset.items || "users";
      var count = form.querySelectorAll("input[name='" + items + "']:checked").length;
      if (!window.confirm("Delete " + count + " selected " + items + "?")) e.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
  // After an in-place change, move focus to the updated region for screen-reader users.
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.target.id === "tab-panel" || e.target.id === "flash" || e.target.id === "confirm-slot") {
      var focusable = e.target.querySelector("[role=alert], [role=status], h2");
      if (focusable) { focusable.setAttribute("tabindex", "-1"); focusable.focus(); }
    }
  });
})();
