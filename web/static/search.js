// Suggestions as you type, with the keyboard: ArrowDown/ArrowUp move and fill the box, Enter searches,
// Escape closes and restores what was typed. The page works without this file; it only adds help
// while typing, and folds the filter panel away on a phone.
(function () {
  "use strict";

  // On a narrow screen the sort and filter panel starts folded (its summary says what is chosen), so
  // that the results come first; the page is served with it open for browsers without this script.
  var filters = document.getElementById("filters");
  if (filters && window.matchMedia) {
    var narrow = window.matchMedia("(max-width: 760px)");
    var fit = function () { filters.open = !narrow.matches; };
    fit();
    if (narrow.addEventListener) narrow.addEventListener("change", fit);
  }

  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list) return;
  var form = input.form;
  var active = -1;
  var timer = null;
  var lastAsked = "";
  var latest = 0;
  var typed = input.value;  // what the person typed, shown again when they leave the list

  function items() { return list.querySelectorAll("li"); }

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var all = items();
    if (!all.length) return;
    // one step past either end goes back to what was typed
    if (index < -1) index = all.length - 1;
    if (index >= all.length) index = -1;
    active = index;
    for (var i = 0; i < all.length; i++) all[i].setAttribute("aria-selected", i === active ? "true" : "false");
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", all[active].id);
      input.value = all[active].getAttribute("data-value");
    } else {
      input.removeAttribute("aria-activedescendant");
      input.value = typed;
    }
  }

  function choose(text) {
    input.value = text;
    close();
    form.submit();
  }

  // "quoc ph" and "quốc phòng" agree on their first 7 letters once marks are set aside
  function bare(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  function option(text, i, asked) {
    var li = document.createElement("li");
    li.id = "suggestion-" + i;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.setAttribute("data-value", text);
    // the typed part plain, the completion bold; as text, never HTML
    var cut = bare(text.slice(0, asked.length)) === bare(asked) ? asked.length : 0;
    if (cut) li.appendChild(document.createTextNode(text.slice(0, cut)));
    if (cut < text.length) {
      var more = document.createElement("b");
      more.textContent = text.slice(cut);
      li.appendChild(more);
    }
    li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(text); });
    return li;
  }

  function show(suggestions, asked) {
    close();
    if (!suggestions.length) return;
    suggestions.forEach(function (text, i) { list.appendChild(option(text, i, asked)); });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function ask() {
    var text = input.value;
    if (text.trim().length < 2) { close(); return; }
    if (text === lastAsked) return;
    lastAsked = text;
    var ticket = ++latest;
    fetch("/suggest.json?q=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (data) {
        if (ticket === latest && document.activeElement === input) show(data.suggestions || [], text);
      })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    typed = input.value;
    clearTimeout(timer);
    lastAsked = lastAsked === input.value ? lastAsked : "";
    timer = setTimeout(ask, 120);
  });

  input.addEventListener("keydown", function (event) {
    // while an input method is composing a syllable, Enter and the arrows belong to it
    if (event.isComposing || event.keyCode === 229) return;
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Escape") { event.preventDefault(); input.value = typed; close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(items()[active].getAttribute("data-value"));
    }
  });

  // Enter that ends an input method's composition must not send the half-typed query
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-composing") === "true") event.preventDefault();
  });
  input.addEventListener("compositionstart", function () { form.setAttribute("data-composing", "true"); });
  input.addEventListener("compositionend", function () {
    setTimeout(function () { form.removeAttribute("data-composing"); }, 0);
  });

  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
