// Turns every <select data-picker> into a Tom Select box one types a name or code into. A select with
// data-lookup lists too many rows to hold them all: it searches the scoped lookup endpoint instead.
(function () {
  "use strict";
  function setUp(select) {
    var options = {
      allowEmptyOption: true,
      maxOptions: 200,
      searchField: ["text"],
      plugins: select.multiple ? ["remove_button"] : [],
      render: {
        no_results: function () { return '<div class="no-results">' + (select.dataset.noResults || "—") + "</div>"; },
      },
    };
    if (select.dataset.placeholder) options.placeholder = select.dataset.placeholder;
    if (select.dataset.lookup) {
      var url = select.dataset.lookup;
      options.valueField = "value";
      options.labelField = "text";
      options.shouldLoad = function (query) { return query.length > 0; };
      options.load = function (query, callback) {
        var sep = url.indexOf("?") === -1 ? "?" : "&";
        fetch(url + sep + "q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (body) { callback(body.results); })
          .catch(function () { callback(); });
      };
    }
    new TomSelect(select, options);
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof TomSelect === "undefined") return;
    document.querySelectorAll("select[data-picker]").forEach(setUp);
  });
})();
