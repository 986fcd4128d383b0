// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";
  // Copy buttons: shown only when the browser can copy.
  if (navigator.clipboard) {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source) { return; }
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          var status = document.createElement("span");
          status.setAttribute("role", "status");
          status.textContent = " " + button.getAttribute("data-copied");
          button.after(status);
          setTimeout(function () { status.remove(); }, 3000);
        });
      });
    });
  }
  // CPV search as you type: suggestions below the field, chosen with a button (keyboard reachable).
  document.querySelectorAll("input[data-cpv-search]").forEach(function (input) {
    var box = document.getElementById("s-" + input.name);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var parts = input.value.split(/[,\s]+/);
      var last = parts[parts.length - 1];
      if (!box || last.length < 3) { if (box) { box.textContent = ""; } return; }
      timer = setTimeout(function () {
        fetch(input.getAttribute("data-cpv-search") + "?q=" + encodeURIComponent(last))
          .then(function (r) { return r.json(); })
          .then(function (results) {
            box.textContent = "";
            var list = document.createElement("ul");
            var lang = document.documentElement.lang === "en" ? "en" : "nl";
            results.slice(0, 8).forEach(function (r) {
              var item = document.createElement("li");
              var choose = document.createElement("button");
              choose.type = "button";
              choose.textContent = r.code + " " + r[lang];
              choose.addEventListener("click", function () {
                parts[parts.length - 1] = r.code;
                input.value = parts.join(", ");
                box.textContent = "";
                input.focus();
              });
              item.appendChild(choose);
              list.appendChild(item);
            });
            box.appendChild(list);
          });
      }, 250);
    });
  });
  // Focus the error summary after a failed submit, so it is announced.
  var errors = document.getElementById("errors");
  if (errors) { errors.focus(); }
})();
