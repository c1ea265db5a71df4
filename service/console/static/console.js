/* Konsol LAPOR Triage: keyboard shortcuts and small conveniences. Everything works without this file. */
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function focusField(id) {
    var el = document.getElementById(id);
    if (!el || el.disabled) return false;
    el.focus();
    if (el.select && el.tagName === "INPUT") el.select();
    el.scrollIntoView({ block: "nearest" });
    return true;
  }

  function go(url) {
    if (url) window.location.assign(url);
  }

  function submitForm(id) {
    var form = document.getElementById(id);
    if (!form) return false;
    var button = form.querySelector("button[type=submit]");
    if (button && button.disabled) return false;
    if (form.requestSubmit) form.requestSubmit(button || undefined); else form.submit();
    return true;
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Escape" && typing(document.activeElement)) {
      document.activeElement.blur();
      return;
    }
    if (typing(ev.target)) return;
    var data = document.body.dataset;
    var handled = true;
    switch (ev.key.toLowerCase()) {
      case "t": handled = submitForm("form-terima"); break;
      case "u": handled = focusField("opd-tujuan"); break;
      case "g": handled = focusField("duplikat-dari"); break;
      case "h": handled = focusField("catatan-tanda"); break;
      case "e": handled = focusField("catatan-eskalasi"); break;
      case "j": handled = !!(data.next || data.first); go(data.next || data.first); break;
      case "k": handled = !!data.prev; go(data.prev); break;
      default: handled = false;
    }
    if (handled) ev.preventDefault();
  });

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var question = form.getAttribute("data-konfirmasi");
    if (question && !window.confirm(question)) {
      ev.preventDefault();
      return;
    }
    // one decision per click: stop a double submit, without changing the layout
    var buttons = form.querySelectorAll("button[type=submit]");
    window.setTimeout(function () {
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].disabled = true;
        buttons[i].setAttribute("aria-busy", "true");
      }
    }, 0);
  });

  window.addEventListener("pageshow", function (ev) {
    if (!ev.persisted) return;  // back/forward cache: make the buttons usable again
    var busy = document.querySelectorAll("button[aria-busy=true]");
    for (var i = 0; i < busy.length; i++) {
      busy[i].disabled = false;
      busy[i].removeAttribute("aria-busy");
    }
  });

  document.addEventListener("focusin", function (ev) {
    if (ev.target.hasAttribute && ev.target.hasAttribute("data-pilih-semua")) ev.target.select();
  });

  // canned replies: choosing one fills the answer text, which the operator then edits
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.hasAttribute && el.hasAttribute("data-isi") && el.value) {
      var target = document.getElementById(el.getAttribute("data-isi"));
      if (target) { target.value = el.value; target.focus(); }
    }
    // bulk selection: "pilih semua" toggles every row checkbox of the list
    if (el.id === "pilih-semua") {
      var boxes = document.querySelectorAll("input[name=pilih]");
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = el.checked;
    }
  });
})();
