/* Search suggestions as you type (progressive enhancement: without this file the search box
   works as a plain form). Names come from the catalog's type-ahead endpoint, same origin. */
(function () {
  "use strict";
  var input = document.getElementById("site-search-q");
  if (!input || !window.fetch) return;
  var list = document.createElement("datalist");
  list.id = "search-suggestions";
  input.insertAdjacentElement("afterend", list);
  input.setAttribute("list", list.id);
  input.setAttribute("autocomplete", "off");
  var khmer = document.documentElement.lang === "km";
  var timer = null;
  var latest = "";

  function show(data) {
    var names = [];
    (data.products || []).forEach(function (item) { names.push((khmer && item.name_km) || item.name); });
    (data.brands || []).forEach(function (item) { names.push(item.name); });
    (data.ingredients || []).forEach(function (item) { names.push((khmer && item.name_km) || item.name); });
    list.textContent = "";
    names.filter(function (name, index) { return name && names.indexOf(name) === index; }).forEach(function (name) {
      var option = document.createElement("option");
      option.value = name;
      list.appendChild(option);
    });
  }

  input.addEventListener("input", function () {
    var q = input.value.trim();
    clearTimeout(timer);
    if (q.length < 2) { list.textContent = ""; return; }
    timer = setTimeout(function () {
      latest = q;
      fetch("/api/v1/products/search/suggestions?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) { if (body && q === latest) show(body.data || {}); })
        .catch(function () {});
    }, 200);
  });
})();
