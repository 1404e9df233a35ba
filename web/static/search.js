// Suggestions as you type, with the keyboard: ArrowDown/ArrowUp move, Enter searches, Escape closes.
// The page works without this file; it only adds help while typing.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list) return;
  var form = input.form;
  var active = -1;
  var timer = null;
  var lastAsked = "";
  var latest = 0;

  if (!input.value) input.focus();

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
    active = (index + all.length) % all.length;
    for (var i = 0; i < all.length; i++) all[i].setAttribute("aria-selected", i === active ? "true" : "false");
    input.setAttribute("aria-activedescendant", all[active].id);
  }

  function choose(text) {
    input.value = text;
    close();
    form.submit();
  }

  function show(suggestions) {
    close();
    if (!suggestions.length) return;
    suggestions.forEach(function (text, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.textContent = text;  // text, never HTML
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(text); });
      list.appendChild(li);
    });
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
      .then(function (data) { if (ticket === latest && document.activeElement === input) show(data.suggestions || []); })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    lastAsked = lastAsked === input.value ? lastAsked : "";
    timer = setTimeout(ask, 120);
  });

  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(items()[active].textContent); }
  });

  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
