// Suggestions while typing on the "report a fault" page: a debounced JSON call, rendered with DOM
// APIs (the snippet is server-escaped HTML whose only markup is <mark>). Without JavaScript the
// form's "Find solutions" button gives the same suggestions on the next page.
(function () {
  "use strict";
  var form = document.getElementById("fault-form");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-suggest-url");
  var description = form.querySelector("[name=description]");
  var product = form.querySelector("[name=product_model]");
  var faultCode = form.querySelector("[name=fault_code]");
  var panel = document.getElementById("live-suggestions");
  var list = document.getElementById("live-list");
  var empty = document.getElementById("live-empty");
  var template = document.getElementById("live-item");
  var timer = null;
  var latest = 0;

  function render(suggestions) {
    list.textContent = "";
    panel.classList.remove("d-none");
    empty.classList.toggle("d-none", suggestions.length > 0);
    suggestions.forEach(function (s) {
      var item = template.content.firstElementChild.cloneNode(true);
      var link = item.querySelector("[data-field=title]");
      link.textContent = s.title;
      link.href = s.url;
      link.target = "_blank";
      link.rel = "noopener";
      item.querySelector("[data-field=kind]").textContent = s.kind_label;
      item.querySelector("[data-field=snippet]").innerHTML = s.snippet;
      item.querySelector("[data-field=why]").textContent = s.why;
      list.appendChild(item);
    });
  }

  function ask() {
    var text = description.value.trim();
    if (text.length < 2) { panel.classList.add("d-none"); return; }
    var query = new URLSearchParams({
      description: text.slice(0, 2000),
      product_model: product ? product.value : "",
      fault_code: faultCode ? faultCode.value : ""
    });
    var ticket = ++latest;
    fetch(url + "?" + query.toString(), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && ticket === latest) { render(data.suggestions || []); } })
      .catch(function () { /* suggestions are a help, not a requirement: the form still works */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 350);
  }

  [description, product, faultCode].forEach(function (input) {
    if (input) { input.addEventListener("input", later); }
  });
  if (description.value.trim()) { later(); }
})();
