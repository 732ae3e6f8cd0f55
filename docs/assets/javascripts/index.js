// Small helpers of every page: the copy buttons of paper pages, and tables that scroll
// sideways made reachable from the keyboard.
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

  // The permalink is resolved against the page's own address, so it is right on any host
  // the site is served from.
  function setUpCopy() {
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
    document.querySelectorAll(".paper__copy-bib").forEach(function (button) {
      var source = document.getElementById(button.dataset.copy);
      var status = button.parentNode.querySelector(".paper__bib-copied");
      button.addEventListener("click", function () {
        copy(source.textContent).then(function () {
          status.textContent = "BibTeX copied";
        }, function () {
          status.textContent = "Select the BibTeX above to copy it";
        });
      });
    });
  }

  // The theme wraps tables in a box that scrolls sideways when the table is wider than
  // the page; a box that scrolls must take the keyboard's focus, or keyboard users
  // cannot read what is out of sight (WCAG 2.1.1).
  function scrollersFocusable() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent : "Table");
      } else if (!scrolls && box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  var resizing = 0;
  function setUp() {
    setUpCopy();
    scrollersFocusable();
    window.setTimeout(scrollersFocusable, 0);  // after the theme has wrapped its tables
    window.addEventListener("resize", function () {
      window.clearTimeout(resizing);
      resizing = window.setTimeout(scrollersFocusable, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
