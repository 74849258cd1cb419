/* Copy-to-clipboard buttons for secrets shown once (a new access key's secret, a generated
   console password, a service-specific credential). The buttons are rendered `hidden` and
   shown here, so a page without JavaScript offers none that cannot work. No inline script:
   the Content-Security-Policy allows only our own files. */
(function () {
  "use strict";

  function reveal(root) {
    (root || document).querySelectorAll("button[data-copy-target][hidden]").forEach(
      function (button) { button.hidden = false; });
  }

  function say(button, text) {
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    if (status) status.textContent = text;
  }

  // Older browsers, or a page not served over HTTPS/localhost: select the text and copy it.
  function copyBySelection(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    return done;
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button[data-copy-target]");
    if (!button) return;
    var node = document.getElementById(button.dataset.copyTarget);
    if (!node) return;
    var text = node.textContent.trim();
    function failed() {
      say(button, copyBySelection(node) ? "Copied"
        : "Could not copy: the text is selected, copy it with Ctrl+C");
    }
    say(button, "");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say(button, "Copied"); }, failed);
    } else {
      failed();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSettle", function (e) { reveal(e.target); });
})();
