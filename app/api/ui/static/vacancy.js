// skillmatch vacancy page: a button that copies the vacancy's text (or the candidate check's link). Without
// JavaScript the buttons stay hidden and the text is there to select and copy by hand.
(function () {
  "use strict";

  function select(source) {
    source.focus();
    source.select();
  }

  function copy(button) {
    var id = button.getAttribute("data-copy");
    var source = document.getElementById(id);
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    function done() { status.textContent = "Gekopieerd"; }
    function byHand() {
      select(source);
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      status.textContent = copied ? "Gekopieerd" : "Geselecteerd: kopieer met Ctrl+C";
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, byHand);
    } else {
      byHand();
    }
  }

  function init() {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
    var hints = document.querySelectorAll("[data-copy-hint]");
    Array.prototype.forEach.call(hints, function (hint) { hint.hidden = buttons.length > 0; });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
