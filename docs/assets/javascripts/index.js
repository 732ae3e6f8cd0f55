// Copy-permalink button of paper pages. The permalink is resolved against the page's
// own address, so it is right on any host the site is served from.
(function () {
  "use strict";

  function absolute(path, root) {
    return new URL(root + path, window.location.href).href;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function setUp() {
    document.querySelectorAll(".paper__copy").forEach(function (button) {
      var url = absolute(button.dataset.permalink, button.dataset.root);
      var share = button.closest(".paper__share");
      var status = share.querySelector(".paper__copied");
      var input = share.querySelector(".paper__markdown input");
      if (input) {
        var title = input.dataset.markdownTitle.replace(/([\\\[\]])/g, "\\$1");
        input.value = "[" + title + "](" + url + ")";
        input.addEventListener("focus", function () { input.select(); });
      }
      button.addEventListener("click", function () {
        copy(url).then(function () {
          status.textContent = "Copied " + url;
          button.dataset.copied = url;
        }, function () {
          status.textContent = "Copy this link: " + url;
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
