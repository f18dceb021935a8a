// Title suggestions as the user types in the knowledge-base search box (no inline script: CSP).
(function () {
  "use strict";
  var input = document.getElementById("kb-q");
  var list = document.getElementById("kb-suggestions");
  if (!input || !list) { return; }
  var timer = null;
  var last = "";
  function clear() { list.textContent = ""; list.classList.add("d-none"); }
  function show(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "list-group-item list-group-item-action py-1";
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;
      li.appendChild(a);
      list.appendChild(li);
    });
    list.classList.toggle("d-none", items.length === 0);
  }
  input.addEventListener("input", function () {
    var text = input.value.trim();
    if (timer) { clearTimeout(timer); }
    if (text.length < 1) { clear(); return; }
    timer = setTimeout(function () {
      if (text === last) { return; }
      last = text;
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(text), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
        .then(function (data) { if (input.value.trim() === text) { show(data.suggestions || []); } })
        .catch(clear);
    }, 150);
  });
  input.addEventListener("keydown", function (e) { if (e.key === "Escape") { clear(); } });
})();
