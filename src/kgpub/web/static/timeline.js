// The timeline's filter in a static site, which has no server to answer the form: the rows the year, type and
// actor leave out are hidden (each row carries its years, types and actors), from the form or from the address
// (timeline.html?year=2020). On a server the form is answered there and this does nothing.
(function () {
  "use strict";
  var form = document.getElementById("timeline-filter");
  if (!form || form.getAttribute("data-where") !== "client") return;
  var names = ["year", "type", "actor"];
  var fields = { year: "years", type: "types", actor: "actors" };
  var rows = [].slice.call(document.querySelectorAll("#timeline tbody tr"));
  var shown = document.getElementById("timeline-shown");
  function apply() {
    var n = 0;
    rows.forEach(function (row) {
      var keep = names.every(function (name) {
        var value = form.elements[name].value;
        return !value || (row.getAttribute("data-" + fields[name]) || "").split("|").indexOf(value) >= 0;
      });
      row.hidden = !keep;
      if (keep) n++;
    });
    shown.textContent = n + " of " + rows.length + " events";
  }
  var asked = new URLSearchParams(window.location.search);
  names.forEach(function (name) {
    var value = asked.get(name);
    if (value && [].some.call(form.elements[name].options, function (o) { return o.value === value; })) {
      form.elements[name].value = value;
    }
  });
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    apply();
    var query = new URLSearchParams();
    names.forEach(function (name) { if (form.elements[name].value) query.set(name, form.elements[name].value); });
    try {
      window.history.replaceState(null, "", window.location.pathname + (query.toString() ? "?" + query : ""));
    } catch (e) { /* a page opened from disk may not change its address: the rows are filtered all the same */ }
  });
  apply();
})();
